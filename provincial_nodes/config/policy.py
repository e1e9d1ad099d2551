"""``policy.yaml``: the insured policy by region and scheme, in effective-dated periods each
with its source; also the documents AdminService's LoadPolicy receives."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from provincial_nodes.config.reader import Reader, part, region_code
from provincial_nodes.domain.chronic import CROSS_PROVINCE_DISEASES
from provincial_nodes.domain.filing import RULE_NAMES, FilingRules
from provincial_nodes.domain.policy import (
    LEVELS,
    OutpatientParams,
    PolicyBook,
    Scheme,
    SchemeKey,
    Segment,
    Supplement,
)
from services.values.money import format_ratio

DEDUCTIBLE_MAX = 100_000_000
"""A deductible above 1 million yuan (in fen) is a typo, not a policy."""

_PERIOD_KEYS = {
    "valid_from",
    "valid_to",
    "source",
    "deductible_fen_annual",
    "deductible_fen_per_visit",
    "ratio_by_level",
    "retired_tilt",
    "cap_fen_monthly",
    "cap_fen_annual",
    "account_pays_fulamt",
    "mutual_aid",
    "segments",
    "filing",
    "civil_servant",
    "medical_assistance",
}
_FILING_KEYS = {
    "temporary_referral",
    "temporary_emergency",
    "temporary_other",
    "unfiled",
    "unfiled_referral",
    "unfiled_other",
    "home_during_long_term",
    "source",
}
_RENAMED_FILING_KEYS = {
    "reduction_referral": "unfiled_referral",
    "reduction_other": "unfiled_other",
    "reduction_emergency": "temporary_emergency",
}
"""Keys of the ``filing:`` mapping before temporary filings had reductions of their own: they
named the points an *unfiled* visit lost (and an unfiled emergency's). A file still using one is
refused with its new name rather than read with a meaning it may not have meant."""


def _levels(r: Reader, value: Any, key: str) -> dict[str, int]:
    ratios = r.mapping(value, key, set(LEVELS), set(LEVELS))
    return {lv: r.ratio(ratios, lv, key) for lv in LEVELS}


def _segments(r: Reader, value: Any, key: str) -> tuple[Segment, ...]:
    out: list[Segment] = []
    for i, item in enumerate(r.items(value, key, max_items=50)):
        sk = f"{key}[{i}]"
        m = r.mapping(item, sk, {"from_fen", "ratio_by_level"}, {"from_fen", "ratio_by_level"})
        start = r.fen(m, "from_fen", sk) or 0
        if start <= (out[-1].from_fen if out else 0):
            raise r.fail(
                f"{sk}.from_fen",
                f"segments must start above 0 and rise (after {out[-1].from_fen if out else 0})",
                start,
            )
        out.append(Segment(start, _levels(r, m["ratio_by_level"], f"{sk}.ratio_by_level")))
    return tuple(out)


def _filing_rules(r: Reader, value: Any, key: str) -> FilingRules:
    if isinstance(value, dict):
        for old, new in _RENAMED_FILING_KEYS.items():
            if old in value:
                raise r.fail(
                    f"{key}.{old}",
                    f"renamed: {old} is now {new} (temporary visits: temporary_referral, "
                    "temporary_emergency, temporary_other; unfiled visits: unfiled, "
                    "unfiled_referral, unfiled_other)",
                    value[old],
                )
    m = r.mapping(value, key, _FILING_KEYS)
    unfiled = r.text(m, "unfiled", key, default="reduce")
    if unfiled not in ("reduce", "refuse"):
        raise r.fail(f"{key}.unfiled", "must be reduce or refuse", unfiled)
    if unfiled == "refuse":
        for k in ("unfiled_referral", "unfiled_other"):
            if k in m:
                raise r.fail(
                    f"{key}.{k}",
                    "applies only with unfiled: reduce (this region refuses unfiled visits)",
                    m[k],
                )
    defaults = FilingRules()
    points = {
        rule: r.ratio(m, rule, key, default=format_ratio(defaults.points_bp(rule)))
        for rule in RULE_NAMES
    }
    home = m.get("home_during_long_term", True)
    if not isinstance(home, bool):
        raise r.fail(f"{key}.home_during_long_term", "must be true or false", home)
    rules = FilingRules(
        temporary_referral_bp=points["temporary_referral"],
        temporary_emergency_bp=points["temporary_emergency"],
        temporary_other_bp=points["temporary_other"],
        unfiled=unfiled,
        unfiled_referral_bp=points["unfiled_referral"],
        unfiled_other_bp=points["unfiled_other"],
        home_during_long_term=home,
    )
    problems = rules.problems()
    if problems:  # the first: national ceilings, then the order unfiled ≥ temporary
        rule, bp, problem = problems[0]
        shown = m.get(rule, format_ratio(bp))  # the value as written (or the default's)
        raise r.fail(f"{key}.{rule}", problem, shown)
    return rules


def _supplement(r: Reader, value: Any, key: str, *, assistance: bool) -> Supplement:
    allowed = {"ratio", "cap_fen_annual"} | ({"idet_types"} if assistance else set())
    m = r.mapping(value, key, allowed, {"ratio"} | ({"idet_types"} if assistance else set()))
    types: frozenset[str] = frozenset()
    if assistance:
        listed = r.items(m["idet_types"], f"{key}.idet_types", max_items=50)
        if not listed or not all(isinstance(t, str) and 0 < len(t) <= 6 for t in listed):
            raise r.fail(
                f"{key}.idet_types",
                "must be a non-empty list of psn_idet_type codes (quoted strings)",
            )
        types = frozenset(listed)
    return Supplement(
        ratio_bp=r.ratio(m, "ratio", key),
        cap_fen_annual=r.fen(m, "cap_fen_annual", key, default=None),
        idet_types=types,
    )


def _period(r: Reader, item: Any, key: str) -> OutpatientParams:
    m = r.mapping(item, key, _PERIOD_KEYS, {"valid_from", "source", "ratio_by_level"})
    by_level = _levels(r, m["ratio_by_level"], f"{key}.ratio_by_level")
    valid_from = r.day(m, "valid_from", key)
    assert valid_from is not None
    valid_to = r.day(m, "valid_to", key, required=False)
    if valid_to is not None and valid_to < valid_from:
        raise r.fail(f"{key}.valid_to", f"is before valid_from {valid_from}", valid_to)
    source = r.text(m, "source", key, max_len=500)
    if not source.strip():
        raise r.fail(f"{key}.source", "every value needs its source reference")
    return OutpatientParams(
        valid_from=valid_from,
        valid_to=valid_to,
        source=source,
        ratio_bp_by_level=by_level,
        deductible_fen_annual=r.fen(m, "deductible_fen_annual", key, maximum=DEDUCTIBLE_MAX) or 0,
        deductible_fen_per_visit=r.fen(m, "deductible_fen_per_visit", key, maximum=DEDUCTIBLE_MAX)
        or 0,
        retired_tilt_bp=r.ratio(m, "retired_tilt", key),
        cap_fen_monthly=r.fen(m, "cap_fen_monthly", key, default=None),
        cap_fen_annual=r.fen(m, "cap_fen_annual", key, default=None),
        account_pays_fulamt=r.flag(m, "account_pays_fulamt", key),
        mutual_aid=r.flag(m, "mutual_aid", key),
        segments=_segments(r, m["segments"], f"{key}.segments") if "segments" in m else (),
        filing=_filing_rules(r, m["filing"], f"{key}.filing") if "filing" in m else FilingRules(),
        civil_servant=_supplement(r, m["civil_servant"], f"{key}.civil_servant", assistance=False)
        if "civil_servant" in m
        else None,
        medical_assistance=_supplement(
            r, m["medical_assistance"], f"{key}.medical_assistance", assistance=True
        )
        if "medical_assistance" in m
        else None,
    )


def _periods(r: Reader, value: Any, key: str) -> tuple[OutpatientParams, ...]:
    listed = r.items(value, key, max_items=200)
    periods = [_period(r, p, f"{key}[{j}]") for j, p in enumerate(listed)]
    if not periods:
        raise r.fail(key, "needs at least one period")
    index = {id(p): j for j, p in enumerate(periods)}  # for errors: the period as written
    periods.sort(key=lambda p: p.valid_from)
    for a, b in zip(periods, periods[1:], strict=False):
        pk = f"{key}[{index[id(b)]}]"
        if a.valid_from == b.valid_from:
            raise r.fail(
                f"{pk}.valid_from",
                f"a second period from the same day (periods[{index[id(a)]}] starts then too)",
                b.valid_from,
            )
        pk = f"{key}[{index[id(a)]}]"
        if a.valid_to is None:
            continue  # open-ended until the next period starts
        if a.valid_to >= b.valid_from:
            raise r.fail(
                f"{pk}.valid_to",
                f"overlap: on or after the next period's valid_from {b.valid_from}",
                a.valid_to,
            )
        if a.valid_to + timedelta(days=1) != b.valid_from:
            raise r.fail(
                f"{pk}.valid_to",
                f"gap: nothing applies from "
                f"{a.valid_to + timedelta(days=1)} to "
                f"{b.valid_from - timedelta(days=1)}",
            )
    # An open-ended period ends the day before the next one starts.
    closed = [
        a.replace(valid_to=b.valid_from - timedelta(days=1)) if a.valid_to is None else a
        for a, b in zip(periods, periods[1:], strict=False)
    ]
    return tuple(closed + [periods[-1]])


def policy_schemes(r: Reader) -> list[Scheme]:
    """The schemes of a policy document (``schemes: {admdvs: [...]}``), checked strictly."""
    top = r.mapping(r.root, "", {"schemes"}, {"schemes"})
    regions = r.mapping(top["schemes"], "schemes", None)
    schemes: list[Scheme] = []
    seen: set[SchemeKey] = set()
    for admdvs_key, items in regions.items():
        rkey = f"schemes.{part(admdvs_key)}"
        admdvs = region_code(r, part(admdvs_key), rkey)
        for i, item in enumerate(r.items(items, rkey, max_items=100)):
            key = f"{rkey}[{i}]"
            m = r.mapping(
                item,
                key,
                {"insutype", "med_type", "opsp_dise_code", "periods"},
                {"insutype", "med_type", "periods"},
            )
            insutype, med_type = r.text(m, "insutype", key), r.text(m, "med_type", key)
            if insutype not in ("310", "390"):
                raise r.fail(f"{key}.insutype", "must be 310 or 390", insutype)
            if med_type not in ("11", "13", "14"):
                raise r.fail(f"{key}.med_type", "must be 11, 13 or 14", med_type)
            dise = r.text(m, "opsp_dise_code", key, default="")
            if med_type == "14":
                if dise not in CROSS_PROVINCE_DISEASES:
                    raise r.fail(
                        f"{key}.opsp_dise_code",
                        f"a med_type 14 scheme names one of the cross-province "
                        f"diseases ({', '.join(CROSS_PROVINCE_DISEASES)})",
                        dise,
                    )
            elif dise:
                raise r.fail(
                    f"{key}.opsp_dise_code", "only med_type 14 schemes name a disease", dise
                )
            scheme_key = SchemeKey(admdvs, insutype, med_type, dise)
            if scheme_key in seen:
                raise r.fail(
                    key, f"duplicate scheme {admdvs}/{insutype}/{med_type} {dise}".rstrip()
                )
            seen.add(scheme_key)
            schemes.append(Scheme(scheme_key, _periods(r, m["periods"], f"{key}.periods")))
    return schemes


def load_policy(path: Path) -> PolicyBook:
    return PolicyBook(policy_schemes(Reader.of_file(path)))
