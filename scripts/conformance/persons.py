"""The persons a conformance run settles for: from ``--persons FILE`` (a small YAML a province
team writes) or from network.json.

    persons:
      - psn_no: "13010000000000000003"
        certno: "130102199001011234"
        insutype: "310"              # 310 employee, 390 resident
        insuplc_admdvs: "130100"     # optional: default the node's own admdvs

A bare list of the same mappings is accepted too. Every problem is one line naming the file,
the entry and the key (:class:`PersonsError`); a certificate number is never shown whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from provincial_nodes.config import bounded_yaml
from services.logs.masking import mask_certno
from services.values import certno as certnos

PSN_NO_RE = re.compile(r"^[A-Za-z0-9]{1,30}$")
ADMDVS_RE = re.compile(r"^\d{6}$")
INSUTYPES = ("310", "390")
KEYS = ("psn_no", "certno", "insutype", "insuplc_admdvs")
MAX_PERSONS = 100


class PersonsError(ValueError):
    """The persons file cannot be used; the message names file, entry and key."""


@dataclass(frozen=True)
class Person:
    psn_no: str
    certno: str
    insutype: str
    insuplc_admdvs: str

    @property
    def province(self) -> str:
        return self.insuplc_admdvs[:2]


def load(path: Path, default_admdvs: str) -> list[Person]:
    """The persons of ``path``; ``default_admdvs`` for entries that name no insured region."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PersonsError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise PersonsError(f"{path}: not UTF-8 text") from None
    try:
        doc = bounded_yaml.load(text)
    except Exception as exc:  # any YAML problem, described without quoting the text
        raise PersonsError(f"{path}: not valid YAML: {bounded_yaml.describe(exc)}") from None
    return parse(doc, str(path), default_admdvs)


def parse(doc: Any, where: str, default_admdvs: str) -> list[Person]:
    """The persons of a loaded document (``where`` names it in errors)."""
    entries = doc.get("persons") if isinstance(doc, dict) else doc
    if isinstance(doc, dict) and set(doc) - {"persons"}:
        extra = ", ".join(sorted(map(str, set(doc) - {"persons"})))
        raise PersonsError(f"{where}: unknown top-level key(s) {extra}; expected 'persons'")
    if not isinstance(entries, list) or not entries:
        raise PersonsError(
            f"{where}: expected a non-empty list 'persons' of mappings with psn_no, certno, "
            "insutype"
        )
    if len(entries) > MAX_PERSONS:
        raise PersonsError(f"{where}: {len(entries)} persons; at most {MAX_PERSONS}")
    out: list[Person] = []
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        at = f"{where}: persons[{i}]"
        if not isinstance(entry, dict):
            raise PersonsError(f"{at}: expected a mapping with psn_no, certno, insutype")
        unknown = sorted(map(str, set(entry) - set(KEYS)))
        if unknown:
            raise PersonsError(
                f"{at}: unknown key(s) {', '.join(unknown)}; known {', '.join(KEYS)}"
            )
        values = {k: _text(entry, k, at) for k in KEYS}
        for key in ("psn_no", "certno", "insutype"):
            if not values[key]:
                raise PersonsError(f"{at}.{key}: missing")
        if not PSN_NO_RE.match(values["psn_no"]):
            raise PersonsError(
                f"{at}.psn_no: {values['psn_no'][:40]!r} must be 1 to 30 letters or digits"
            )
        problem = certnos.problem(values["certno"])
        if problem:
            raise PersonsError(f"{at}.certno: {mask_certno(values['certno'])!r} {problem}")
        if values["insutype"] not in INSUTYPES:
            raise PersonsError(
                f"{at}.insutype: {values['insutype'][:10]!r} must be 310 (employee) or 390 "
                "(resident)"
            )
        admdvs = values["insuplc_admdvs"] or default_admdvs
        if not ADMDVS_RE.match(admdvs):
            raise PersonsError(
                f"{at}.insuplc_admdvs: {admdvs[:10]!r} must be a 6-digit division code"
            )
        if values["psn_no"] in seen:
            raise PersonsError(f"{at}.psn_no: {values['psn_no']!r} is listed twice")
        seen.add(values["psn_no"])
        out.append(Person(values["psn_no"], values["certno"].upper(), values["insutype"], admdvs))
    return out


def _text(entry: dict[Any, Any], key: str, at: str) -> str:
    value = entry.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise PersonsError(f"{at}.{key}: expected text, got {type(value).__name__}")
    return str(value).strip()


def from_network(doc: dict[str, Any], province: str) -> list[Person]:
    """The sample persons network.json lists for ``province``."""
    return [
        Person(str(p["psn_no"]), str(p["certno"]), str(p["insutype"]), str(p["insuplc_admdvs"]))
        for p in doc["provinces"].get(province, {}).get("persons", [])
    ]
