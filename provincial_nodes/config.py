"""Loading a province's data files strictly.

A province folder holds ``province.yaml`` (identity, regions, institutions), ``catalogue.yaml``
(the treatment catalogue), ``policy.yaml`` (the insured policy, effective-dated) and
``persons.yaml`` (insured persons to seed). Every problem — a wrong type, an unknown key, a gap
or overlap in dates, a ratio outside 0–100% — raises :class:`ConfigError` naming the file, the
key and the problem, and the node does not start.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from provincial_nodes.domain.catalogue import (
    Catalogue,
    CatalogueEntry,
    Level,
    ListType,
    Restriction,
)
from provincial_nodes.domain.institution import Institution
from provincial_nodes.domain.person import Person
from provincial_nodes.domain.policy import LEVELS, OutpatientParams, PolicyBook, Scheme
from services import certno as certnos
from services.envelope import ADMDVS_RE, FIXMEDINS_RE
from services.errors import ConfigError
from services.money import parse_cnt, parse_ratio


@dataclass(frozen=True)
class ProvinceData:
    code: str
    name: str
    name_en: str
    admdvs: str
    regions: dict[str, str]
    institutions: dict[str, Institution]
    catalogue: Catalogue
    policy: PolicyBook
    persons: list[Person]


class _Reader:
    """Typed, strict access to one YAML file's values, with error paths like ``a.b[2].c``."""

    def __init__(self, path: Path) -> None:
        self.file = str(path)
        try:
            self.root = yaml.safe_load(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(self.file, "(file)", "file not found") from None
        except yaml.YAMLError as exc:
            raise ConfigError(self.file, "(file)", f"not valid YAML: {exc}") from None

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(self.file, key, problem)

    def mapping(self, value: Any, key: str, allowed: set[str], required: set[str] = frozenset()
                ) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, f"must be a mapping, got {type(value).__name__}")
        for k in value:
            if k not in allowed:
                raise self.fail(f"{key}.{k}" if key else str(k),
                                f"unknown key (allowed: {', '.join(sorted(allowed))})")
        for k in required:
            if k not in value:
                raise self.fail(f"{key}.{k}" if key else k, "required key is missing")
        return value

    def list(self, value: Any, key: str) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(key, f"must be a list, got {type(value).__name__}")
        return value

    def str(self, m: dict[str, Any], k: str, key: str, default: str | None = None) -> str:
        if k not in m:
            if default is None:
                raise self.fail(f"{key}.{k}", "required key is missing")
            return default
        value = m[k]
        if not isinstance(value, str):
            raise self.fail(f"{key}.{k}", f"must be a string (quote it), got {value!r}")
        return value

    def fen(self, m: dict[str, Any], k: str, key: str, default: int | None = 0) -> int | None:
        value = m.get(k, default)
        if value is None and default is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(f"{key}.{k}", f"must be an integer number of fen, got {value!r}")
        if value < 0:
            raise self.fail(f"{key}.{k}", f"must not be negative, got {value}")
        return value

    def ratio(self, m: dict[str, Any], k: str, key: str, default: str = "0") -> int:
        value = m.get(k, default)
        if not isinstance(value, str):
            raise self.fail(f"{key}.{k}",
                            f"must be a quoted exact decimal such as \"0.70\", got {value!r}")
        try:
            return parse_ratio(value)
        except ValueError as exc:
            raise self.fail(f"{key}.{k}", f"{exc} (ratios are 0–100%)") from None

    def date(self, m: dict[str, Any], k: str, key: str, required: bool = True) -> date | None:
        if k not in m or m[k] is None:
            if required:
                raise self.fail(f"{key}.{k}", "required date is missing")
            return None
        value = m[k]
        if not isinstance(value, date):
            raise self.fail(f"{key}.{k}", f"must be a date yyyy-mm-dd, got {value!r}")
        return value

    def bool(self, m: dict[str, Any], k: str, key: str) -> bool:
        value = m.get(k, False)
        if not isinstance(value, bool):
            raise self.fail(f"{key}.{k}", f"must be true or false, got {value!r}")
        return value


def _admdvs(r: _Reader, value: str, key: str) -> str:
    if not ADMDVS_RE.match(value):
        raise r.fail(key, f"must be a 6-digit admdvs code, got {value!r}")
    return value


def load_province_file(path: Path) -> tuple[str, str, str, str, dict[str, str],
                                            dict[str, Institution]]:
    r = _Reader(path)
    top = r.mapping(r.root, "", {"code", "name", "name_en", "admdvs", "regions", "institutions"},
                    {"code", "name", "admdvs", "regions", "institutions"})
    code = r.str(top, "code", "")
    if not (len(code) == 2 and code.isdigit()):
        raise r.fail("code", f"must be a 2-digit province code, got {code!r}")
    admdvs = _admdvs(r, r.str(top, "admdvs", ""), "admdvs")
    regions: dict[str, str] = {}
    for i, item in enumerate(r.list(top["regions"], "regions")):
        key = f"regions[{i}]"
        m = r.mapping(item, key, {"admdvs", "name"}, {"admdvs", "name"})
        region = _admdvs(r, r.str(m, "admdvs", key), f"{key}.admdvs")
        if region[:2] != code:
            raise r.fail(f"{key}.admdvs", f"{region} is not in province {code}")
        regions[region] = r.str(m, "name", key)
    institutions: dict[str, Institution] = {}
    for i, item in enumerate(r.list(top["institutions"], "institutions")):
        key = f"institutions[{i}]"
        m = r.mapping(item, key, {"fixmedins_code", "fixmedins_name", "medins_lv", "admdvs",
                                  "cross_province"},
                      {"fixmedins_code", "fixmedins_name", "medins_lv", "admdvs"})
        fcode = r.str(m, "fixmedins_code", key)
        if not FIXMEDINS_RE.match(fcode):
            raise r.fail(f"{key}.fixmedins_code", f"must look like H11010500001, got {fcode!r}")
        if fcode in institutions:
            raise r.fail(f"{key}.fixmedins_code", f"duplicate code {fcode}")
        level = r.str(m, "medins_lv", key)
        if level not in LEVELS:
            raise r.fail(f"{key}.medins_lv", f"must be one of {LEVELS}, got {level!r}")
        institutions[fcode] = Institution(
            fixmedins_code=fcode, fixmedins_name=r.str(m, "fixmedins_name", key),
            medins_lv=level, admdvs=_admdvs(r, r.str(m, "admdvs", key), f"{key}.admdvs"),
            cross_province=m.get("cross_province", True) is True,
        )
    return code, r.str(top, "name", ""), r.str(top, "name_en", "", default=""), admdvs, \
        regions, institutions


def load_catalogue(path: Path) -> Catalogue:
    r = _Reader(path)
    top = r.mapping(r.root, "", {"entries"}, {"entries"})
    entries: list[CatalogueEntry] = []
    fields = {"med_list_codg", "name", "list_type", "chrgitm_lv", "med_chrgitm_type",
              "selfpay_prop", "pric_uplmt_amt", "restriction", "negotiated", "essential",
              "valid_from", "valid_to"}
    for i, item in enumerate(r.list(top["entries"], "entries")):
        key = f"entries[{i}]"
        m = r.mapping(item, key, fields, {"med_list_codg", "name", "list_type", "chrgitm_lv",
                                          "med_chrgitm_type", "valid_from"})
        try:
            list_type = ListType(r.str(m, "list_type", key))
        except ValueError:
            raise r.fail(f"{key}.list_type", f"must be one of {[t.value for t in ListType]}"
                         ) from None
        try:
            level = Level(r.str(m, "chrgitm_lv", key))
        except ValueError:
            raise r.fail(f"{key}.chrgitm_lv", "must be 01 (A), 02 (B) or 03 (C)") from None
        prop = r.ratio(m, "selfpay_prop", key)
        if prop and level is not Level.B:
            raise r.fail(f"{key}.selfpay_prop", "only class B (02) items have a pre-self-pay ratio")
        restriction = None
        if "restriction" in m:
            rk = f"{key}.restriction"
            rm = r.mapping(m["restriction"], rk, {"diagnoses", "min_medins_lv",
                                                   "max_cnt_per_visit", "memo"})
            diagnoses = r.list(rm.get("diagnoses", []), f"{rk}.diagnoses")
            if not all(isinstance(d, str) and d for d in diagnoses):
                raise r.fail(f"{rk}.diagnoses", "must be a list of diagnosis code prefixes")
            max_cnt = None
            if "max_cnt_per_visit" in rm:
                try:
                    max_cnt = parse_cnt(r.str(rm, "max_cnt_per_visit", rk))
                except ValueError as exc:
                    raise r.fail(f"{rk}.max_cnt_per_visit", str(exc)) from None
            level_min = r.str(rm, "min_medins_lv", rk, default="")
            if level_min and level_min not in LEVELS:
                raise r.fail(f"{rk}.min_medins_lv", f"must be one of {LEVELS}")
            restriction = Restriction(diagnoses=tuple(diagnoses), min_medins_lv=level_min,
                                      max_cnt_per_visit=max_cnt, memo=r.str(rm, "memo", rk, ""))
        valid_from = r.date(m, "valid_from", key)
        valid_to = r.date(m, "valid_to", key, required=False)
        assert valid_from is not None
        if valid_to is not None and valid_to < valid_from:
            raise r.fail(f"{key}.valid_to", f"{valid_to} is before valid_from {valid_from}")
        entries.append(CatalogueEntry(
            med_list_codg=r.str(m, "med_list_codg", key), name=r.str(m, "name", key),
            list_type=list_type, chrgitm_lv=level,
            med_chrgitm_type=r.str(m, "med_chrgitm_type", key), selfpay_prop_bp=prop,
            pric_uplmt_amt=r.fen(m, "pric_uplmt_amt", key) or 0, restriction=restriction,
            negotiated=r.bool(m, "negotiated", key), essential=r.bool(m, "essential", key),
            valid_from=valid_from, valid_to=valid_to,
        ))
    by_code: dict[str, list[CatalogueEntry]] = {}
    for e in entries:
        by_code.setdefault(e.med_list_codg, []).append(e)
    for code, versions in by_code.items():
        versions.sort(key=lambda e: e.valid_from)
        for a, b in zip(versions, versions[1:], strict=False):
            if a.valid_to is None or a.valid_to >= b.valid_from:
                raise r.fail(f"entries[{code}]", f"versions overlap: {a.valid_from}–"
                             f"{a.valid_to or 'open'} and {b.valid_from}–{b.valid_to or 'open'}")
    return Catalogue(entries)


_PERIOD_KEYS = {"valid_from", "valid_to", "source", "deductible_fen_annual",
                "deductible_fen_per_visit", "ratio_by_level", "retired_tilt", "cap_fen_monthly",
                "cap_fen_annual", "account_pays_fulamt"}


def _period(r: _Reader, item: Any, key: str) -> OutpatientParams:
    m = r.mapping(item, key, _PERIOD_KEYS, {"valid_from", "source", "ratio_by_level"})
    ratios = r.mapping(m["ratio_by_level"], f"{key}.ratio_by_level", set(LEVELS), set(LEVELS))
    by_level = {lv: r.ratio(ratios, lv, f"{key}.ratio_by_level") for lv in LEVELS}
    valid_from = r.date(m, "valid_from", key)
    assert valid_from is not None
    valid_to = r.date(m, "valid_to", key, required=False)
    if valid_to is not None and valid_to < valid_from:
        raise r.fail(f"{key}.valid_to", f"{valid_to} is before valid_from {valid_from}")
    source = r.str(m, "source", key)
    if not source.strip():
        raise r.fail(f"{key}.source", "every value needs its source reference")
    return OutpatientParams(
        valid_from=valid_from, valid_to=valid_to, source=source, ratio_bp_by_level=by_level,
        deductible_fen_annual=r.fen(m, "deductible_fen_annual", key) or 0,
        deductible_fen_per_visit=r.fen(m, "deductible_fen_per_visit", key) or 0,
        retired_tilt_bp=r.ratio(m, "retired_tilt", key),
        cap_fen_monthly=r.fen(m, "cap_fen_monthly", key, default=None),
        cap_fen_annual=r.fen(m, "cap_fen_annual", key, default=None),
        account_pays_fulamt=r.bool(m, "account_pays_fulamt", key),
    )


def load_policy(path: Path) -> PolicyBook:
    r = _Reader(path)
    top = r.mapping(r.root, "", {"schemes"}, {"schemes"})
    regions = r.mapping(top["schemes"], "schemes", set(top["schemes"] or {}))
    schemes: list[Scheme] = []
    for admdvs, items in regions.items():
        rkey = f"schemes.{admdvs}"
        _admdvs(r, str(admdvs), rkey)
        seen: set[tuple[str, str]] = set()
        for i, item in enumerate(r.list(items, rkey)):
            key = f"{rkey}[{i}]"
            m = r.mapping(item, key, {"insutype", "med_type", "periods"},
                          {"insutype", "med_type", "periods"})
            insutype, med_type = r.str(m, "insutype", key), r.str(m, "med_type", key)
            if insutype not in ("310", "390"):
                raise r.fail(f"{key}.insutype", f"must be 310 or 390, got {insutype!r}")
            if med_type not in ("11", "14"):
                raise r.fail(f"{key}.med_type", f"must be 11 or 14, got {med_type!r}")
            if (insutype, med_type) in seen:
                raise r.fail(key, f"duplicate scheme {insutype}/{med_type}")
            seen.add((insutype, med_type))
            periods = [_period(r, p, f"{key}.periods[{j}]")
                       for j, p in enumerate(r.list(m["periods"], f"{key}.periods"))]
            if not periods:
                raise r.fail(f"{key}.periods", "needs at least one period")
            periods.sort(key=lambda p: p.valid_from)
            for j, (a, b) in enumerate(zip(periods, periods[1:], strict=False)):
                pk = f"{key}.periods[{j}]"
                if a.valid_to is None:
                    continue  # open-ended until the next period starts
                if a.valid_to >= b.valid_from:
                    raise r.fail(f"{pk}.valid_to", f"overlap: {a.valid_to} is on or after the "
                                 f"next period's valid_from {b.valid_from}")
                if a.valid_to + timedelta(days=1) != b.valid_from:
                    raise r.fail(f"{pk}.valid_to", f"gap: nothing applies from "
                                 f"{a.valid_to + timedelta(days=1)} to "
                                 f"{b.valid_from - timedelta(days=1)}")
            # An open-ended period ends the day before the next one starts.
            closed = [
                OutpatientParams(**{**a.__dict__, "valid_to": b.valid_from - timedelta(days=1)})
                if a.valid_to is None else a
                for a, b in zip(periods, periods[1:], strict=False)
            ] + [periods[-1]]
            schemes.append(Scheme(str(admdvs), insutype, med_type, tuple(closed)))
    return PolicyBook(schemes)


_PERSON_KEYS = {"psn_no", "certno", "psn_name", "insutype", "psn_type", "insuplc_admdvs",
                "cvlserv_flag", "acct_balc", "emp_name", "psn_insu_date", "psn_insu_stas"}


def person_from_mapping(m: dict[str, Any]) -> Person:
    """A Person from a validated mapping (files and generated populations)."""
    return Person(
        psn_no=m["psn_no"], certno=m["certno"], psn_name=m["psn_name"],
        gend=certnos.gender(m["certno"]), brdy=certnos.birth_date(m["certno"]),
        insutype=m["insutype"], psn_type=m["psn_type"], insuplc_admdvs=m["insuplc_admdvs"],
        cvlserv_flag=m.get("cvlserv_flag", "0"), emp_name=m.get("emp_name", ""),
        psn_insu_date=m.get("psn_insu_date", date(2000, 1, 1)),
        psn_insu_stas=m.get("psn_insu_stas", "1"),
    )


def load_persons(path: Path, regions: dict[str, str]) -> tuple[list[Person], dict[str, int]]:
    """Persons to seed and their opening account balances (fen)."""
    r = _Reader(path)
    top = r.mapping(r.root, "", {"persons"}, {"persons"})
    persons: list[Person] = []
    balances: dict[str, int] = {}
    for i, item in enumerate(r.list(top["persons"], "persons")):
        key = f"persons[{i}]"
        m = r.mapping(item, key, _PERSON_KEYS, {"psn_no", "certno", "psn_name", "insutype",
                                                "psn_type", "insuplc_admdvs"})
        for k in ("psn_no", "certno", "psn_name", "insutype", "psn_type", "insuplc_admdvs"):
            r.str(m, k, key)
        problem = certnos.problem(m["certno"])
        if problem:
            raise r.fail(f"{key}.certno", f"{m['certno']}: {problem}")
        if m["insuplc_admdvs"] not in regions:
            raise r.fail(f"{key}.insuplc_admdvs", f"{m['insuplc_admdvs']} is not a region of "
                         f"this province ({', '.join(regions)})")
        if m["psn_no"] in balances:
            raise r.fail(f"{key}.psn_no", f"duplicate {m['psn_no']}")
        balances[m["psn_no"]] = r.fen(m, "acct_balc", key) or 0
        persons.append(person_from_mapping(m))
    return persons, balances


def load(folder: Path) -> tuple[ProvinceData, dict[str, int]]:
    """Load and check every file of a province folder."""
    code, name, name_en, admdvs, regions, institutions = load_province_file(
        folder / "province.yaml")
    catalogue = load_catalogue(folder / "catalogue.yaml")
    policy = load_policy(folder / "policy.yaml")
    unknown = policy.regions() - set(regions)
    if unknown:
        raise ConfigError(str(folder / "policy.yaml"), f"schemes.{sorted(unknown)[0]}",
                          "region is not listed in province.yaml regions")
    persons, balances = load_persons(folder / "persons.yaml", regions)
    return ProvinceData(code=code, name=name, name_en=name_en, admdvs=admdvs, regions=regions,
                        institutions=institutions, catalogue=catalogue, policy=policy,
                        persons=persons), balances


DEFAULT_DATA = Path(__file__).parent / "data" / "provinces"


def province_folder(code: str, data_root: Path | None = None) -> Path:
    return (data_root or DEFAULT_DATA) / code

