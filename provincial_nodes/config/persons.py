"""``persons.yaml``: insured persons to seed, with opening balances, accumulators, filings and
chronic-disease qualifications; also the documents AdminService's LoadPersons receives."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from provincial_nodes.config.reader import Reader, region_code
from provincial_nodes.domain.chronic import CROSS_PROVINCE_DISEASES, Qualification
from provincial_nodes.domain.filing import Category, Filing, check_new, default_enddate
from provincial_nodes.domain.person import Accumulated, Identity, Person, PersonRecord
from services.values import certno as certnos
from services.values.errors import ConfigError, SettlenetError

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


def _identities(r: Reader, value: Any, key: str) -> list[Identity]:
    out = []
    for i, item in enumerate(r.items(value, key)):
        ik = f"{key}[{i}]"
        m = r.mapping(
            item, ik, {"psn_idet_type", "begntime", "endtime"}, {"psn_idet_type", "begntime"}
        )
        begn = r.day(m, "begntime", ik)
        assert begn is not None
        out.append(
            Identity(r.text(m, "psn_idet_type", ik), begn, r.day(m, "endtime", ik, required=False))
        )
    return out


def _accumulators(r: Reader, value: Any, key: str) -> tuple[Accumulated, ...]:
    out = []
    for i, item in enumerate(r.items(value, key)):
        ak = f"{key}[{i}]"
        m = r.mapping(item, ak, _ACCUM_KEYS, {"year"})
        year = m["year"]
        if not isinstance(year, int) or not 2000 <= year <= 2100:
            raise r.fail(f"{ak}.year", f"must be a year such as 2026, got {year!r}")
        bucket = r.text(m, "bucket", ak, default="11")
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


def _filings(r: Reader, value: Any, key: str, psn_no: str, region: str) -> tuple[Filing, ...]:
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
    for i, item in enumerate(r.items(value, key)):
        fk = f"{key}[{i}]"
        m = r.mapping(item, fk, keys, {"category", "dest_admdvs", "begndate"})
        try:
            category = Category(r.text(m, "category", fk))
        except ValueError:
            raise r.fail(
                f"{fk}.category", f"must be one of {[c.value for c in Category]}"
            ) from None
        begn = r.day(m, "begndate", fk)
        assert begn is not None
        end = r.day(m, "enddate", fk, required=False)
        status = r.text(m, "status", fk, default="active")
        if status not in ("active", "revoked"):
            raise r.fail(f"{fk}.status", f"must be active or revoked, got {status!r}")
        filing = Filing(
            filing_id=r.text(m, "filing_id", fk, default=f"F{psn_no}{i + 1:03d}"),
            psn_no=psn_no,
            insuplc_admdvs=region,
            category=category,
            dest_admdvs=region_code(r, r.text(m, "dest_admdvs", fk), f"{fk}.dest_admdvs"),
            begndate=begn,
            enddate=end
            if end is not None or status != "active"
            else default_enddate(category, begn),
            evidence=r.text(
                m, "evidence", fk, default="commitment" if category.long_term else "none"
            ),
            channel=r.text(m, "channel", fk, default="app"),
            status=status,
        )
        try:
            check_new(filing, out)
        except SettlenetError as exc:
            raise r.fail(f"{fk}.{exc.field}", exc.problem) from None
        out.append(filing)
    return tuple(out)


def _chronic(r: Reader, value: Any, key: str, psn_no: str) -> tuple[Qualification, ...]:
    out = []
    for i, item in enumerate(r.items(value, key)):
        ck = f"{key}[{i}]"
        m = r.mapping(
            item,
            ck,
            {"qual_id", "opsp_dise_code", "begndate", "enddate", "status", "hosp_name"},
            {"opsp_dise_code", "begndate"},
        )
        code = r.text(m, "opsp_dise_code", ck)
        if code not in CROSS_PROVINCE_DISEASES:
            raise r.fail(
                f"{ck}.opsp_dise_code",
                f"not a cross-province disease code "
                f"({', '.join(CROSS_PROVINCE_DISEASES)}): {code!r}",
            )
        begn = r.day(m, "begndate", ck)
        assert begn is not None
        end = r.day(m, "enddate", ck, required=False)
        if end is not None and end < begn:
            raise r.fail(f"{ck}.enddate", f"{end} is before begndate {begn}")
        out.append(
            Qualification(
                r.text(m, "qual_id", ck, default=f"Q{psn_no}{i + 1:03d}"),
                psn_no,
                code,
                begn,
                end,
                r.text(m, "status", ck, "active"),
                r.text(m, "hosp_name", ck, ""),
            )
        )
    return tuple(out)


def person_records(r: Reader, regions: dict[str, str]) -> list[PersonRecord]:
    """The persons of a persons document (``persons:``), checked strictly."""
    top = r.mapping(r.root, "", {"persons"}, {"persons"})
    records: list[PersonRecord] = []
    seen: set[str] = set()
    for i, item in enumerate(r.items(top["persons"], "persons")):
        key = f"persons[{i}]"
        m = r.mapping(
            item,
            key,
            _PERSON_KEYS,
            {"psn_no", "certno", "psn_name", "insutype", "psn_type", "insuplc_admdvs"},
        )
        for k in ("psn_no", "certno", "psn_name", "insutype", "psn_type", "insuplc_admdvs"):
            r.text(m, k, key)
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
        if r.text(m, "cvlserv_flag", key, default="0") not in ("0", "1"):
            raise r.fail(f"{key}.cvlserv_flag", 'must be "0" or "1"')
        values = dict(m)
        values["identities"] = _identities(r, m.get("identities", []), f"{key}.identities")
        values["mulaid_psn_no"] = r.text(m, "mulaid_psn_no", key, default="")
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
    records = person_records(Reader.of_file(path), regions)
    known = {rec.person.psn_no for rec in records}
    for i, rec in enumerate(records):
        if rec.person.mulaid_psn_no and rec.person.mulaid_psn_no not in known:
            raise ConfigError(
                str(path),
                f"persons[{i}].mulaid_psn_no",
                f"{rec.person.mulaid_psn_no} is not a person of this file",
            )
    return records
