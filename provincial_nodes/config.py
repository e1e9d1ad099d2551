"""Loading a province's data files strictly.

A province folder holds ``province.yaml`` (identity, regions, institutions), ``catalogue.yaml``
(the treatment catalogue), ``policy.yaml`` (the insured policy, effective-dated) and
``persons.yaml`` (insured persons to seed). Every problem — a wrong type, an unknown key, a gap
or overlap in dates, a ratio outside 0–100% — raises :class:`ConfigError` naming the file, the
key and the problem, and the node does not start.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from provincial_nodes import seed
from provincial_nodes.domain.catalogue import (
    Catalogue,
    CatalogueEntry,
    Level,
    ListType,
    Restriction,
)
from provincial_nodes.domain.chronic import CROSS_PROVINCE_DISEASES, Qualification
from provincial_nodes.domain.filing import (
    MAX_REDUCTION_BP,
    Category,
    Filing,
    FilingRules,
    check_new,
    default_enddate,
)
from provincial_nodes.domain.institution import Institution
from provincial_nodes.domain.person import Accumulated, Identity, Person, PersonRecord
from provincial_nodes.domain.policy import (
    LEVELS,
    OutpatientParams,
    PolicyBook,
    Scheme,
    SchemeKey,
    Segment,
    Supplement,
)
from services.rpc.envelope import ADMDVS_RE, FIXMEDINS_RE
from services.values import certno as certnos
from services.values.errors import ConfigError, SettlenetError
from services.values.money import format_ratio, parse_cnt, parse_ratio


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
    records: list[PersonRecord]

    @property
    def persons(self) -> list[Person]:
        return [r.person for r in self.records]

    def balance(self, psn_no: str) -> int:
        return next(r.acct_balc for r in self.records if r.person.psn_no == psn_no)


class _Reader:
    """Typed, strict access to one YAML document's values, with error paths like ``a.b[2].c``.

    ``label`` names the document in errors: a file path, or e.g. ``"AdminService.LoadPolicy"``
    for a document sent over gRPC."""

    def __init__(self, label: str, text: str) -> None:
        self.file = label
        try:
            self.root = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ConfigError(self.file, "(file)", f"not valid YAML: {exc}") from None

    @staticmethod
    def of(path: Path) -> _Reader:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigError(str(path), "(file)", "file not found") from None
        return _Reader(str(path), text)

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(self.file, key, problem)

    def mapping(
        self, value: Any, key: str, allowed: set[str], required: set[str] = frozenset()
    ) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, f"must be a mapping, got {type(value).__name__}")
        for k in value:
            if k not in allowed:
                raise self.fail(
                    f"{key}.{k}" if key else str(k),
                    f"unknown key (allowed: {', '.join(sorted(allowed))})",
                )
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
            raise self.fail(
                f"{key}.{k}", f'must be a quoted exact decimal such as "0.70", got {value!r}'
            )
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
        if isinstance(value, str):  # a quoted date (or a document that came from JSON)
            try:
                value = date.fromisoformat(value) if len(value) == 10 else value
            except ValueError:
                pass
        if not isinstance(value, date) or isinstance(value, datetime):
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


def load_province_file(
    path: Path,
) -> tuple[str, str, str, str, dict[str, str], dict[str, Institution]]:
    r = _Reader.of(path)
    top = r.mapping(
        r.root,
        "",
        {"code", "name", "name_en", "admdvs", "regions", "institutions"},
        {"code", "name", "admdvs", "regions", "institutions"},
    )
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
        m = r.mapping(
            item,
            key,
            {"fixmedins_code", "fixmedins_name", "medins_lv", "admdvs", "cross_province"},
            {"fixmedins_code", "fixmedins_name", "medins_lv", "admdvs"},
        )
        fcode = r.str(m, "fixmedins_code", key)
        if not FIXMEDINS_RE.match(fcode):
            raise r.fail(f"{key}.fixmedins_code", f"must look like H11010500001, got {fcode!r}")
        if fcode in institutions:
            raise r.fail(f"{key}.fixmedins_code", f"duplicate code {fcode}")
        level = r.str(m, "medins_lv", key)
        if level not in LEVELS:
            raise r.fail(f"{key}.medins_lv", f"must be one of {LEVELS}, got {level!r}")
        institutions[fcode] = Institution(
            fixmedins_code=fcode,
            fixmedins_name=r.str(m, "fixmedins_name", key),
            medins_lv=level,
            admdvs=_admdvs(r, r.str(m, "admdvs", key), f"{key}.admdvs"),
            cross_province=m.get("cross_province", True) is True,
        )
    return (
        code,
        r.str(top, "name", ""),
        r.str(top, "name_en", "", default=""),
        admdvs,
        regions,
        institutions,
    )


def load_catalogue(path: Path) -> Catalogue:
    return Catalogue(catalogue_entries(_Reader.of(path)))


def catalogue_entries(r: _Reader) -> list[CatalogueEntry]:
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
    for i, item in enumerate(r.list(top["entries"], "entries")):
        key = f"entries[{i}]"
        m = r.mapping(
            item,
            key,
            fields,
            {"med_list_codg", "name", "list_type", "chrgitm_lv", "med_chrgitm_type", "valid_from"},
        )
        try:
            list_type = ListType(r.str(m, "list_type", key))
        except ValueError:
            raise r.fail(
                f"{key}.list_type", f"must be one of {[t.value for t in ListType]}"
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
            rm = r.mapping(
                m["restriction"], rk, {"diagnoses", "min_medins_lv", "max_cnt_per_visit", "memo"}
            )
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
            restriction = Restriction(
                diagnoses=tuple(diagnoses),
                min_medins_lv=level_min,
                max_cnt_per_visit=max_cnt,
                memo=r.str(rm, "memo", rk, ""),
            )
        valid_from = r.date(m, "valid_from", key)
        valid_to = r.date(m, "valid_to", key, required=False)
        assert valid_from is not None
        if valid_to is not None and valid_to < valid_from:
            raise r.fail(f"{key}.valid_to", f"{valid_to} is before valid_from {valid_from}")
        entries.append(
            CatalogueEntry(
                med_list_codg=r.str(m, "med_list_codg", key),
                name=r.str(m, "name", key),
                list_type=list_type,
                chrgitm_lv=level,
                med_chrgitm_type=r.str(m, "med_chrgitm_type", key),
                selfpay_prop_bp=prop,
                pric_uplmt_amt=r.fen(m, "pric_uplmt_amt", key) or 0,
                restriction=restriction,
                negotiated=r.bool(m, "negotiated", key),
                essential=r.bool(m, "essential", key),
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
    "unfiled",
    "reduction_referral",
    "reduction_emergency",
    "reduction_other",
    "home_during_long_term",
    "source",
}


def _levels(r: _Reader, value: Any, key: str) -> dict[str, int]:
    ratios = r.mapping(value, key, set(LEVELS), set(LEVELS))
    return {lv: r.ratio(ratios, lv, key) for lv in LEVELS}


def _segments(r: _Reader, value: Any, key: str) -> tuple[Segment, ...]:
    out: list[Segment] = []
    for i, item in enumerate(r.list(value, key)):
        sk = f"{key}[{i}]"
        m = r.mapping(item, sk, {"from_fen", "ratio_by_level"}, {"from_fen", "ratio_by_level"})
        start = r.fen(m, "from_fen", sk) or 0
        if start <= (out[-1].from_fen if out else 0):
            raise r.fail(
                f"{sk}.from_fen",
                f"segments must start above 0 and rise; got {start} "
                f"after {out[-1].from_fen if out else 0}",
            )
        out.append(Segment(start, _levels(r, m["ratio_by_level"], f"{sk}.ratio_by_level")))
    return tuple(out)


def _filing_rules(r: _Reader, value: Any, key: str) -> FilingRules:
    m = r.mapping(value, key, _FILING_KEYS)
    unfiled = r.str(m, "unfiled", key, default="reduce")
    if unfiled not in ("reduce", "refuse"):
        raise r.fail(f"{key}.unfiled", f"must be reduce or refuse, got {unfiled!r}")
    cuts = {}
    for kind, limit in MAX_REDUCTION_BP.items():
        default = format_ratio(getattr(FilingRules(), f"reduction_{kind}_bp"))
        cuts[kind] = r.ratio(m, f"reduction_{kind}", key, default=default)
        if cuts[kind] > limit:
            raise r.fail(
                f"{key}.reduction_{kind}",
                f"{format_ratio(cuts[kind])} is more than the national ceiling of "
                f"{format_ratio(limit)} for {kind} visits",
            )
    home = m.get("home_during_long_term", True)
    if not isinstance(home, bool):
        raise r.fail(f"{key}.home_during_long_term", f"must be true or false, got {home!r}")
    return FilingRules(
        unfiled=unfiled,
        reduction_referral_bp=cuts["referral"],
        reduction_emergency_bp=cuts["emergency"],
        reduction_other_bp=cuts["other"],
        home_during_long_term=home,
    )


def _supplement(r: _Reader, value: Any, key: str, *, assistance: bool) -> Supplement:
    allowed = {"ratio", "cap_fen_annual"} | ({"idet_types"} if assistance else set())
    m = r.mapping(value, key, allowed, {"ratio"} | ({"idet_types"} if assistance else set()))
    types: frozenset[str] = frozenset()
    if assistance:
        listed = r.list(m["idet_types"], f"{key}.idet_types")
        if not listed or not all(isinstance(t, str) and t for t in listed):
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


def _period(r: _Reader, item: Any, key: str) -> OutpatientParams:
    m = r.mapping(item, key, _PERIOD_KEYS, {"valid_from", "source", "ratio_by_level"})
    by_level = _levels(r, m["ratio_by_level"], f"{key}.ratio_by_level")
    valid_from = r.date(m, "valid_from", key)
    assert valid_from is not None
    valid_to = r.date(m, "valid_to", key, required=False)
    if valid_to is not None and valid_to < valid_from:
        raise r.fail(f"{key}.valid_to", f"{valid_to} is before valid_from {valid_from}")
    source = r.str(m, "source", key)
    if not source.strip():
        raise r.fail(f"{key}.source", "every value needs its source reference")
    return OutpatientParams(
        valid_from=valid_from,
        valid_to=valid_to,
        source=source,
        ratio_bp_by_level=by_level,
        deductible_fen_annual=r.fen(m, "deductible_fen_annual", key) or 0,
        deductible_fen_per_visit=r.fen(m, "deductible_fen_per_visit", key) or 0,
        retired_tilt_bp=r.ratio(m, "retired_tilt", key),
        cap_fen_monthly=r.fen(m, "cap_fen_monthly", key, default=None),
        cap_fen_annual=r.fen(m, "cap_fen_annual", key, default=None),
        account_pays_fulamt=r.bool(m, "account_pays_fulamt", key),
        mutual_aid=r.bool(m, "mutual_aid", key),
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


def _periods(r: _Reader, value: Any, key: str) -> tuple[OutpatientParams, ...]:
    periods = [_period(r, p, f"{key}[{j}]") for j, p in enumerate(r.list(value, key))]
    if not periods:
        raise r.fail(key, "needs at least one period")
    periods.sort(key=lambda p: p.valid_from)
    for j, (a, b) in enumerate(zip(periods, periods[1:], strict=False)):
        pk = f"{key}[{j}]"
        if a.valid_to is None:
            continue  # open-ended until the next period starts
        if a.valid_to >= b.valid_from:
            raise r.fail(
                f"{pk}.valid_to",
                f"overlap: {a.valid_to} is on or after the next period's valid_from {b.valid_from}",
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


def policy_schemes(r: _Reader) -> list[Scheme]:
    """The schemes of a policy document (``schemes: {admdvs: [...]}``), checked strictly."""
    top = r.mapping(r.root, "", {"schemes"}, {"schemes"})
    regions = r.mapping(top["schemes"], "schemes", set(top["schemes"] or {}))
    schemes: list[Scheme] = []
    for admdvs, items in regions.items():
        rkey = f"schemes.{admdvs}"
        _admdvs(r, str(admdvs), rkey)
        seen: set[SchemeKey] = set()
        for i, item in enumerate(r.list(items, rkey)):
            key = f"{rkey}[{i}]"
            m = r.mapping(
                item,
                key,
                {"insutype", "med_type", "opsp_dise_code", "periods"},
                {"insutype", "med_type", "periods"},
            )
            insutype, med_type = r.str(m, "insutype", key), r.str(m, "med_type", key)
            if insutype not in ("310", "390"):
                raise r.fail(f"{key}.insutype", f"must be 310 or 390, got {insutype!r}")
            if med_type not in ("11", "13", "14"):
                raise r.fail(f"{key}.med_type", f"must be 11, 13 or 14, got {med_type!r}")
            dise = r.str(m, "opsp_dise_code", key, default="")
            if med_type == "14":
                if dise not in CROSS_PROVINCE_DISEASES:
                    raise r.fail(
                        f"{key}.opsp_dise_code",
                        f"a med_type 14 scheme names one of the cross-province "
                        f"diseases ({', '.join(CROSS_PROVINCE_DISEASES)}), got {dise!r}",
                    )
            elif dise:
                raise r.fail(f"{key}.opsp_dise_code", "only med_type 14 schemes name a disease")
            scheme_key = SchemeKey(str(admdvs), insutype, med_type, dise)
            if scheme_key in seen:
                raise r.fail(key, f"duplicate scheme {insutype}/{med_type} {dise}".rstrip())
            seen.add(scheme_key)
            schemes.append(Scheme(scheme_key, _periods(r, m["periods"], f"{key}.periods")))
    return schemes


def load_policy(path: Path) -> PolicyBook:
    return PolicyBook(policy_schemes(_Reader.of(path)))


_PERSON_KEYS = {
    "psn_no",
    "certno",
    "psn_name",
    "insutype",
    "psn_type",
    "insuplc_admdvs",
    "cvlserv_flag",
    "acct_balc",
    "emp_name",
    "psn_insu_date",
    "psn_insu_stas",
    "identities",
    "mulaid_psn_no",
    "accumulators",
    "filings",
    "chronic",
}
_ACCUM_KEYS = {
    "year",
    "bucket",
    "month",
    "dedc_used_year",
    "fund_paid_year",
    "fund_paid_month",
    "elig_year",
    "cvlserv_paid_year",
    "maf_paid_year",
}


def person_from_mapping(m: dict[str, Any]) -> Person:
    """A Person from a validated mapping (files and generated populations)."""
    return Person(
        psn_no=m["psn_no"],
        certno=m["certno"],
        psn_name=m["psn_name"],
        gend=certnos.gender(m["certno"]),
        brdy=certnos.birth_date(m["certno"]),
        insutype=m["insutype"],
        psn_type=m["psn_type"],
        insuplc_admdvs=m["insuplc_admdvs"],
        cvlserv_flag=m.get("cvlserv_flag", "0"),
        emp_name=m.get("emp_name", ""),
        psn_insu_date=m.get("psn_insu_date", date(2000, 1, 1)),
        psn_insu_stas=m.get("psn_insu_stas", "1"),
        identities=tuple(m.get("identities", ())),
        mulaid_psn_no=m.get("mulaid_psn_no", ""),
    )


def _identities(r: _Reader, value: Any, key: str) -> list[Identity]:
    out = []
    for i, item in enumerate(r.list(value, key)):
        ik = f"{key}[{i}]"
        m = r.mapping(
            item, ik, {"psn_idet_type", "begntime", "endtime"}, {"psn_idet_type", "begntime"}
        )
        begn = r.date(m, "begntime", ik)
        assert begn is not None
        out.append(
            Identity(r.str(m, "psn_idet_type", ik), begn, r.date(m, "endtime", ik, required=False))
        )
    return out


def _accumulators(r: _Reader, value: Any, key: str) -> tuple[Accumulated, ...]:
    out = []
    for i, item in enumerate(r.list(value, key)):
        ak = f"{key}[{i}]"
        m = r.mapping(item, ak, _ACCUM_KEYS, {"year"})
        year = m["year"]
        if not isinstance(year, int) or not 2000 <= year <= 2100:
            raise r.fail(f"{ak}.year", f"must be a year such as 2026, got {year!r}")
        bucket = r.str(m, "bucket", ak, default="11")
        med = bucket.split(":")[0]
        if med not in ("11", "13", "14") or (med == "14") != (":" in bucket):
            raise r.fail(f"{ak}.bucket", f"must be 11, 13 or 14:<disease code>, got {bucket!r}")
        month = m.get("month")
        if month is not None and (not isinstance(month, int) or not 1 <= month <= 12):
            raise r.fail(f"{ak}.month", f"must be a month 1-12, got {month!r}")
        if m.get("fund_paid_month") and month is None:
            raise r.fail(f"{ak}.month", "fund_paid_month needs the month it belongs to")
        out.append(
            Accumulated(
                year=year,
                bucket=bucket,
                month=month,
                **{k: r.fen(m, k, ak) or 0 for k in _ACCUM_KEYS - {"year", "bucket", "month"}},
            )
        )
    return tuple(out)


def _filings(r: _Reader, value: Any, key: str, psn_no: str, region: str) -> tuple[Filing, ...]:
    out: list[Filing] = []
    keys = {
        "filing_id",
        "category",
        "dest_admdvs",
        "begndate",
        "enddate",
        "evidence",
        "channel",
        "status",
    }
    for i, item in enumerate(r.list(value, key)):
        fk = f"{key}[{i}]"
        m = r.mapping(item, fk, keys, {"category", "dest_admdvs", "begndate"})
        try:
            category = Category(r.str(m, "category", fk))
        except ValueError:
            raise r.fail(
                f"{fk}.category", f"must be one of {[c.value for c in Category]}"
            ) from None
        begn = r.date(m, "begndate", fk)
        assert begn is not None
        end = r.date(m, "enddate", fk, required=False)
        status = r.str(m, "status", fk, default="active")
        if status not in ("active", "revoked"):
            raise r.fail(f"{fk}.status", f"must be active or revoked, got {status!r}")
        filing = Filing(
            filing_id=r.str(m, "filing_id", fk, default=f"F{psn_no}{i + 1:03d}"),
            psn_no=psn_no,
            insuplc_admdvs=region,
            category=category,
            dest_admdvs=_admdvs(r, r.str(m, "dest_admdvs", fk), f"{fk}.dest_admdvs"),
            begndate=begn,
            enddate=end
            if end is not None or status != "active"
            else default_enddate(category, begn),
            evidence=r.str(
                m, "evidence", fk, default="commitment" if category.long_term else "none"
            ),
            channel=r.str(m, "channel", fk, default="app"),
            status=status,
        )
        try:
            check_new(filing, out)
        except SettlenetError as exc:
            raise r.fail(f"{fk}.{exc.field}", exc.problem) from None
        out.append(filing)
    return tuple(out)


def _chronic(r: _Reader, value: Any, key: str, psn_no: str) -> tuple[Qualification, ...]:
    out = []
    for i, item in enumerate(r.list(value, key)):
        ck = f"{key}[{i}]"
        m = r.mapping(
            item,
            ck,
            {"qual_id", "opsp_dise_code", "begndate", "enddate", "status", "hosp_name"},
            {"opsp_dise_code", "begndate"},
        )
        code = r.str(m, "opsp_dise_code", ck)
        if code not in CROSS_PROVINCE_DISEASES:
            raise r.fail(
                f"{ck}.opsp_dise_code",
                f"not a cross-province disease code "
                f"({', '.join(CROSS_PROVINCE_DISEASES)}): {code!r}",
            )
        begn = r.date(m, "begndate", ck)
        assert begn is not None
        end = r.date(m, "enddate", ck, required=False)
        if end is not None and end < begn:
            raise r.fail(f"{ck}.enddate", f"{end} is before begndate {begn}")
        out.append(
            Qualification(
                r.str(m, "qual_id", ck, default=f"Q{psn_no}{i + 1:03d}"),
                psn_no,
                code,
                begn,
                end,
                r.str(m, "status", ck, "active"),
                r.str(m, "hosp_name", ck, ""),
            )
        )
    return tuple(out)


def person_records(r: _Reader, regions: dict[str, str]) -> list[PersonRecord]:
    """The persons of a persons document (``persons:``), checked strictly."""
    top = r.mapping(r.root, "", {"persons"}, {"persons"})
    records: list[PersonRecord] = []
    seen: set[str] = set()
    for i, item in enumerate(r.list(top["persons"], "persons")):
        key = f"persons[{i}]"
        m = r.mapping(
            item,
            key,
            _PERSON_KEYS,
            {"psn_no", "certno", "psn_name", "insutype", "psn_type", "insuplc_admdvs"},
        )
        for k in ("psn_no", "certno", "psn_name", "insutype", "psn_type", "insuplc_admdvs"):
            r.str(m, k, key)
        problem = certnos.problem(m["certno"])
        if problem:
            raise r.fail(f"{key}.certno", f"{m['certno']}: {problem}")
        if m["insutype"] not in ("310", "390"):
            raise r.fail(f"{key}.insutype", f"must be 310 or 390, got {m['insutype']!r}")
        if m["insuplc_admdvs"] not in regions:
            raise r.fail(
                f"{key}.insuplc_admdvs",
                f"{m['insuplc_admdvs']} is not a region of this province ({', '.join(regions)})",
            )
        if m["psn_no"] in seen:
            raise r.fail(f"{key}.psn_no", f"duplicate {m['psn_no']}")
        seen.add(m["psn_no"])
        if r.str(m, "cvlserv_flag", key, default="0") not in ("0", "1"):
            raise r.fail(f"{key}.cvlserv_flag", 'must be "0" or "1"')
        values = dict(m)
        values["identities"] = _identities(r, m.get("identities", []), f"{key}.identities")
        values["mulaid_psn_no"] = r.str(m, "mulaid_psn_no", key, default="")
        psn_no, region = m["psn_no"], m["insuplc_admdvs"]
        records.append(
            PersonRecord(
                person=person_from_mapping(values),
                acct_balc=r.fen(m, "acct_balc", key) or 0,
                accumulators=_accumulators(r, m.get("accumulators", []), f"{key}.accumulators"),
                filings=_filings(r, m.get("filings", []), f"{key}.filings", psn_no, region),
                chronic=_chronic(r, m.get("chronic", []), f"{key}.chronic", psn_no),
            )
        )
    return records


def load_persons(path: Path, regions: dict[str, str]) -> list[PersonRecord]:
    """Persons to seed, with their opening balances, accumulators, filings, qualifications."""
    records = person_records(_Reader.of(path), regions)
    known = {rec.person.psn_no for rec in records}
    for i, rec in enumerate(records):
        if rec.person.mulaid_psn_no and rec.person.mulaid_psn_no not in known:
            raise ConfigError(
                str(path),
                f"persons[{i}].mulaid_psn_no",
                f"{rec.person.mulaid_psn_no} is not a person of this file",
            )
    return records


def reader(label: str, text: str) -> _Reader:
    """A strict reader for a YAML document that did not come from a file (admin loads)."""
    return _Reader(label, text)


def load(folder: Path) -> ProvinceData:
    """Load and check every file of a province folder."""
    code, name, name_en, admdvs, regions, institutions = load_province_file(
        folder / "province.yaml"
    )
    catalogue = load_catalogue(folder / "catalogue.yaml")
    policy = load_policy(folder / "policy.yaml")
    unknown = policy.regions() - set(regions)
    if unknown:
        raise ConfigError(
            str(folder / "policy.yaml"),
            f"schemes.{sorted(unknown)[0]}",
            "region is not listed in province.yaml regions",
        )
    persons = load_persons(folder / "persons.yaml", regions)
    return ProvinceData(
        code=code,
        name=name,
        name_en=name_en,
        admdvs=admdvs,
        regions=regions,
        institutions=institutions,
        catalogue=catalogue,
        policy=policy,
        records=persons,
    )


DEFAULT_DATA = Path(__file__).parent / "data" / "provinces"


def province_folder(code: str, data_root: Path | None = None) -> Path:
    """The data folder of province ``code``: under ``data_root`` when given; else the default
    data (the four hand-checked provinces) or, for the other 28 province-level codes, a
    synthetic province written on first use (``seed.synthetic_folder``: a template province's
    rules under the code's own regions, for load tests of the national topology)."""
    folder = (data_root or DEFAULT_DATA) / code
    if data_root is None and not folder.exists() and code in seed.SYNTHETIC_CODES:
        return seed.synthetic_folder(code)
    return folder
