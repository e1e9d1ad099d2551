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
_REQUIRED = {"psn_no", "certno", "psn_name", "insutype", "psn_type", "insuplc_admdvs"}
_TEXT_LIMITS = {
    "psn_no": 30,
    "certno": 18,
    "psn_name": 50,
    "insutype": 6,
    "psn_type": 6,
    "insuplc_admdvs": 6,
    "emp_name": 200,
    "psn_insu_stas": 6,
    "mulaid_psn_no": 30,
}
"""The national spec's lengths of a person's text fields."""
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
    for i, item in enumerate(r.items(value, key, max_items=50)):
        ik = f"{key}[{i}]"
        m = r.mapping(
            item, ik, {"psn_idet_type", "begntime", "endtime"}, {"psn_idet_type", "begntime"}
        )
        begn = r.day(m, "begntime", ik)
        assert begn is not None
        out.append(
            Identity(
                r.text(m, "psn_idet_type", ik, max_len=6),
                begn,
                r.day(m, "endtime", ik, required=False),
            )
        )
    return out


def _accumulators(r: Reader, value: Any, key: str) -> tuple[Accumulated, ...]:
    out = []
    seen: set[tuple[int, str, int | None]] = set()
    for i, item in enumerate(r.items(value, key, max_items=1000)):
        ak = f"{key}[{i}]"
        m = r.mapping(item, ak, _ACCUM_KEYS, {"year"})
        year = r.count(m, "year", ak, 2000, 2100)
        assert year is not None
        bucket = r.text(m, "bucket", ak, default="11", max_len=20)
        med, _, disease = bucket.partition(":")
        if med not in ("11", "13", "14") or (med == "14") != (disease in CROSS_PROVINCE_DISEASES):
            raise r.fail(f"{ak}.bucket", "must be 11, 13 or 14:<disease code>", bucket)
        month = r.count(m, "month", ak, 1, 12)
        if (year, bucket, month) in seen:
            raise r.fail(ak, "a second row for the same year, bucket and month", bucket)
        seen.add((year, bucket, month))
        for k in ("cvlserv_paid_year", "maf_paid_year"):  # one figure a year, whatever bucket
            if m.get(k):
                if (year, k, None) in seen:
                    raise r.fail(f"{ak}.{k}", f"given on a second row of {year}", m[k])
                seen.add((year, k, None))
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
    for i, item in enumerate(r.items(value, key, max_items=200)):
        fk = f"{key}[{i}]"
        m = r.mapping(item, fk, keys, {"category", "dest_admdvs", "begndate"})
        text = r.text(m, "category", fk, max_len=30)
        try:
            category = Category(text)
        except ValueError:
            raise r.fail(
                f"{fk}.category", f"must be one of {[c.value for c in Category]}", text
            ) from None
        begn = r.day(m, "begndate", fk)
        assert begn is not None
        end = r.day(m, "enddate", fk, required=False)
        status = r.text(m, "status", fk, default="active")
        if status not in ("active", "revoked"):
            raise r.fail(f"{fk}.status", "must be active or revoked", status)
        filing = Filing(
            filing_id=r.text(m, "filing_id", fk, default=f"F{psn_no}{i + 1:03d}", max_len=40),
            psn_no=psn_no,
            insuplc_admdvs=region,
            category=category,
            dest_admdvs=region_code(r, r.text(m, "dest_admdvs", fk), f"{fk}.dest_admdvs"),
            begndate=begn,
            enddate=end
            if end is not None or status != "active"
            else default_enddate(category, begn),
            evidence=r.text(
                m,
                "evidence",
                fk,
                default="commitment" if category.long_term else "none",
                max_len=30,
            ),
            channel=r.text(m, "channel", fk, default="app", max_len=30),
            status=status,
        )
        try:
            check_new(filing, out)
        except SettlenetError as exc:
            raise r.fail(f"{fk}.{exc.field}", exc.problem, exc.value) from None
        out.append(filing)
    return tuple(out)


def _chronic(r: Reader, value: Any, key: str, psn_no: str) -> tuple[Qualification, ...]:
    out = []
    for i, item in enumerate(r.items(value, key, max_items=50)):
        ck = f"{key}[{i}]"
        m = r.mapping(
            item,
            ck,
            {"qual_id", "opsp_dise_code", "begndate", "enddate", "status", "hosp_name"},
            {"opsp_dise_code", "begndate"},
        )
        code = r.text(m, "opsp_dise_code", ck, max_len=20)
        if code not in CROSS_PROVINCE_DISEASES:
            raise r.fail(
                f"{ck}.opsp_dise_code",
                f"not a cross-province disease code ({', '.join(CROSS_PROVINCE_DISEASES)})",
                code,
            )
        begn = r.day(m, "begndate", ck)
        assert begn is not None
        end = r.day(m, "enddate", ck, required=False)
        if end is not None and end < begn:
            raise r.fail(f"{ck}.enddate", f"is before begndate {begn}", end)
        status = r.text(m, "status", ck, "active", max_len=10)
        if status not in ("active", "revoked"):
            raise r.fail(f"{ck}.status", "must be active or revoked", status)
        out.append(
            Qualification(
                r.text(m, "qual_id", ck, default=f"Q{psn_no}{i + 1:03d}", max_len=40),
                psn_no,
                code,
                begn,
                end,
                status,
                r.text(m, "hosp_name", ck, ""),
            )
        )
    return tuple(out)


def person_records(r: Reader, regions: dict[str, str]) -> list[PersonRecord]:
    """The persons of a persons document (``persons:``), checked strictly."""
    top = r.mapping(r.root, "", {"persons"}, {"persons"})
    records: list[PersonRecord] = []
    seen: set[str] = set()
    ids: set[tuple[str, str]] = set()  # filing and qualification ids: one row each, whoever's
    for i, item in enumerate(r.items(top["persons"], "persons", max_items=20_000)):
        key = f"persons[{i}]"
        m = r.mapping(
            item,
            key,
            _PERSON_KEYS,
            {"psn_no", "certno", "psn_name", "insutype", "psn_type", "insuplc_admdvs"},
        )
        for k, most in _TEXT_LIMITS.items():
            r.text(m, k, key, default=None if k in _REQUIRED else "", max_len=most)
        if not m["psn_no"].isascii() or not m["psn_no"].isalnum():
            raise r.fail(f"{key}.psn_no", "must be letters and digits", m["psn_no"])
        problem = certnos.problem(m["certno"])
        if problem:
            raise r.fail(f"{key}.certno", problem, m["certno"])
        if m["insutype"] not in ("310", "390"):
            raise r.fail(f"{key}.insutype", "must be 310 or 390", m["insutype"])
        if not m["psn_type"].isascii() or not m["psn_type"].isdigit():
            raise r.fail(f"{key}.psn_type", "must be a code of digits such as 11", m["psn_type"])
        if m["insuplc_admdvs"] not in regions:
            raise r.fail(
                f"{key}.insuplc_admdvs",
                f"not a region of this province ({', '.join(regions)})",
                m["insuplc_admdvs"],
            )
        if m["psn_no"] in seen:
            raise r.fail(f"{key}.psn_no", "duplicate", m["psn_no"])
        seen.add(m["psn_no"])
        if r.text(m, "cvlserv_flag", key, default="0") not in ("0", "1"):
            raise r.fail(f"{key}.cvlserv_flag", 'must be "0" or "1"', m["cvlserv_flag"])
        values = dict(m)
        values["identities"] = _identities(r, m.get("identities", []), f"{key}.identities")
        values["psn_insu_date"] = r.day(m, "psn_insu_date", key, required=False) or date(2000, 1, 1)
        psn_no, region = m["psn_no"], m["insuplc_admdvs"]
        record = PersonRecord(
            person=person_from_mapping(values),
            acct_balc=r.fen(m, "acct_balc", key) or 0,
            accumulators=_accumulators(r, m.get("accumulators", []), f"{key}.accumulators"),
            filings=_filings(r, m.get("filings", []), f"{key}.filings", psn_no, region),
            chronic=_chronic(r, m.get("chronic", []), f"{key}.chronic", psn_no),
        )
        given = [(f"filings[{j}].filing_id", f.filing_id) for j, f in enumerate(record.filings)]
        given += [(f"chronic[{j}].qual_id", q.qual_id) for j, q in enumerate(record.chronic)]
        for where, ident in given:
            if (where[:7], ident) in ids:
                raise r.fail(f"{key}.{where}", "given twice in this document", ident)
            ids.add((where[:7], ident))
        records.append(record)
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
                "not a person of this file",
            )
    return records
