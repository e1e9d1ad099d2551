"""``catalogue.yaml``: the treatment catalogue (items with their class, limits and dated
versions); also the documents AdminService's LoadCatalogue receives."""

from __future__ import annotations

from pathlib import Path

from provincial_nodes.config.reader import Reader
from provincial_nodes.domain.catalogue import (
    Catalogue,
    CatalogueEntry,
    Level,
    ListType,
    Restriction,
)
from provincial_nodes.domain.policy import LEVELS
from services.values.money import parse_cnt


def load_catalogue(path: Path) -> Catalogue:
    return Catalogue(catalogue_entries(Reader.of_file(path)))


def catalogue_entries(r: Reader) -> list[CatalogueEntry]:
    """The entries of a catalogue document (``entries:``), checked strictly."""
    top = r.mapping(r.root, "", {"entries"}, {"entries"})
    entries: list[CatalogueEntry] = []
    fields = {
        "med_list_codg",
        "name",
        "list_type",
        "chrgitm_lv",
        "med_chrgitm_type",
        "selfpay_prop",
        "pric_uplmt_amt",
        "restriction",
        "negotiated",
        "essential",
        "valid_from",
        "valid_to",
    }
    for i, item in enumerate(r.items(top["entries"], "entries")):
        key = f"entries[{i}]"
        m = r.mapping(
            item,
            key,
            fields,
            {"med_list_codg", "name", "list_type", "chrgitm_lv", "med_chrgitm_type", "valid_from"},
        )
        try:
            list_type = ListType(r.text(m, "list_type", key))
        except ValueError:
            raise r.fail(
                f"{key}.list_type", f"must be one of {[t.value for t in ListType]}"
            ) from None
        try:
            level = Level(r.text(m, "chrgitm_lv", key))
        except ValueError:
            raise r.fail(f"{key}.chrgitm_lv", "must be 01 (A), 02 (B) or 03 (C)") from None
        prop = r.ratio(m, "selfpay_prop", key)
        if prop and level is not Level.B:
            raise r.fail(f"{key}.selfpay_prop", "only class B (02) items have a pre-self-pay ratio")
        restriction = None
        if "restriction" in m:
            rk = f"{key}.restriction"
            rm = r.mapping(
                m["restriction"], rk, {"diagnoses", "min_medins_lv", "max_cnt_per_visit", "memo"}
            )
            diagnoses = r.items(rm.get("diagnoses", []), f"{rk}.diagnoses")
            if not all(isinstance(d, str) and d for d in diagnoses):
                raise r.fail(f"{rk}.diagnoses", "must be a list of diagnosis code prefixes")
            max_cnt = None
            if "max_cnt_per_visit" in rm:
                try:
                    max_cnt = parse_cnt(r.text(rm, "max_cnt_per_visit", rk))
                except ValueError as exc:
                    raise r.fail(f"{rk}.max_cnt_per_visit", str(exc)) from None
            level_min = r.text(rm, "min_medins_lv", rk, default="")
            if level_min and level_min not in LEVELS:
                raise r.fail(f"{rk}.min_medins_lv", f"must be one of {LEVELS}")
            restriction = Restriction(
                diagnoses=tuple(diagnoses),
                min_medins_lv=level_min,
                max_cnt_per_visit=max_cnt,
                memo=r.text(rm, "memo", rk, ""),
            )
        valid_from = r.day(m, "valid_from", key)
        valid_to = r.day(m, "valid_to", key, required=False)
        assert valid_from is not None
        if valid_to is not None and valid_to < valid_from:
            raise r.fail(f"{key}.valid_to", f"{valid_to} is before valid_from {valid_from}")
        entries.append(
            CatalogueEntry(
                med_list_codg=r.text(m, "med_list_codg", key),
                name=r.text(m, "name", key),
                list_type=list_type,
                chrgitm_lv=level,
                med_chrgitm_type=r.text(m, "med_chrgitm_type", key),
                selfpay_prop_bp=prop,
                pric_uplmt_amt=r.fen(m, "pric_uplmt_amt", key) or 0,
                restriction=restriction,
                negotiated=r.flag(m, "negotiated", key),
                essential=r.flag(m, "essential", key),
                valid_from=valid_from,
                valid_to=valid_to,
            )
        )
    by_code: dict[str, list[CatalogueEntry]] = {}
    for e in entries:
        by_code.setdefault(e.med_list_codg, []).append(e)
    for code, versions in by_code.items():
        versions.sort(key=lambda e: e.valid_from)
        for a, b in zip(versions, versions[1:], strict=False):
            if a.valid_to is None or a.valid_to >= b.valid_from:
                raise r.fail(
                    f"entries[{code}]",
                    f"versions overlap: {a.valid_from}–"
                    f"{a.valid_to or 'open'} and {b.valid_from}–{b.valid_to or 'open'}",
                )
    return entries
