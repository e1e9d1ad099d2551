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

PRICE_MAX = 1_000_000_000
"""A price cap above 10 million yuan (in fen) is a typo, not a catalogue."""


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
    for i, item in enumerate(r.items(top["entries"], "entries", max_items=20_000)):
        key = f"entries[{i}]"
        m = r.mapping(
            item,
            key,
            fields,
            {"med_list_codg", "name", "list_type", "chrgitm_lv", "med_chrgitm_type", "valid_from"},
        )
        text = r.text(m, "list_type", key, max_len=6)
        try:
            list_type = ListType(text)
        except ValueError:
            raise r.fail(
                f"{key}.list_type", f"must be one of {[t.value for t in ListType]}", text
            ) from None
        text = r.text(m, "chrgitm_lv", key, max_len=6)
        try:
            level = Level(text)
        except ValueError:
            raise r.fail(f"{key}.chrgitm_lv", "must be 01 (A), 02 (B) or 03 (C)", text) from None
        prop = r.ratio(m, "selfpay_prop", key)
        if prop and level is not Level.B:
            raise r.fail(
                f"{key}.selfpay_prop", "only class B (02) items have a pre-self-pay ratio", prop
            )
        restriction = None
        if "restriction" in m:
            rk = f"{key}.restriction"
            rm = r.mapping(
                m["restriction"], rk, {"diagnoses", "min_medins_lv", "max_cnt_per_visit", "memo"}
            )
            diagnoses = r.items(rm.get("diagnoses", []), f"{rk}.diagnoses", max_items=200)
            if not all(isinstance(d, str) and 0 < len(d) <= 20 for d in diagnoses):
                raise r.fail(f"{rk}.diagnoses", "must be a list of diagnosis code prefixes")
            max_cnt = None
            if "max_cnt_per_visit" in rm:
                text = r.text(rm, "max_cnt_per_visit", rk, max_len=20)
                try:
                    max_cnt = parse_cnt(text)
                except ValueError as exc:
                    raise r.fail(f"{rk}.max_cnt_per_visit", str(exc), text) from None
            level_min = r.text(rm, "min_medins_lv", rk, default="")
            if level_min and level_min not in LEVELS:
                raise r.fail(f"{rk}.min_medins_lv", f"must be one of {LEVELS}", level_min)
            restriction = Restriction(
                diagnoses=tuple(diagnoses),
                min_medins_lv=level_min,
                max_cnt_per_visit=max_cnt,
                memo=r.text(rm, "memo", rk, "", max_len=500),
            )
        valid_from = r.day(m, "valid_from", key)
        valid_to = r.day(m, "valid_to", key, required=False)
        assert valid_from is not None
        if valid_to is not None and valid_to < valid_from:
            raise r.fail(f"{key}.valid_to", f"is before valid_from {valid_from}", valid_to)
        entries.append(
            CatalogueEntry(
                med_list_codg=r.text(m, "med_list_codg", key, max_len=50),
                name=r.text(m, "name", key),
                list_type=list_type,
                chrgitm_lv=level,
                med_chrgitm_type=r.text(m, "med_chrgitm_type", key, max_len=6),
                selfpay_prop_bp=prop,
                pric_uplmt_amt=r.fen(m, "pric_uplmt_amt", key, maximum=PRICE_MAX) or 0,
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
                    code,
                )
    return entries
