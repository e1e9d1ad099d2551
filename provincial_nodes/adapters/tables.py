"""The province node's schema (SQLAlchemy Core). Amounts are integer fen (BigInteger).

History is never deleted: settlements and account movements are append-only, and a revocation
is a new row pointing at the original (``init_setl_id``, unique, so a settlement is revoked at
most once). Accumulators and balances are running totals kept in the same transaction as the
rows that change them.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

from provincial_nodes.domain.settlement import Settlement
from services.ledger.store import ledger_tables
from services.storage.in_doubt import in_doubt_table
from services.storage.journal import journal_table
from services.storage.nonces import nonce_table

metadata = MetaData()
ledger = ledger_tables(metadata)
"""The node's double-entry ledger (both roles' postings, account codes say whose)."""
journal = journal_table(metadata)
"""The place of treatment's (and the filing desk's) msgid journal."""
insured_journal = journal_table(metadata, "insured_msg_journal")
"""The insured place's msgid journal (2207 and 2208 from the hub)."""
in_doubt = in_doubt_table(metadata)
tif_nonces = nonce_table(metadata)
"""The x-tif nonces seen, shared by the processes of a node of several (``--processes N``)."""
"""What the place of treatment forwarded to the hub, written before it went out, closed once its
outcome is recorded (``services/storage/in_doubt.py``)."""

sequences = Table(
    "sequences",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

# ---- insured role -------------------------------------------------------------------------
persons = Table(
    "persons",
    metadata,
    Column("psn_no", String(32), primary_key=True),
    Column("certno", String(18), nullable=False, unique=True),
    Column("psn_name", String(64), nullable=False),
    Column("gend", String(1), nullable=False),
    Column("brdy", String(10), nullable=False),
    Column("insutype", String(3), nullable=False),
    Column("psn_type", String(4), nullable=False),
    Column("insuplc_admdvs", String(6), nullable=False),
    Column("cvlserv_flag", String(1), nullable=False),
    Column("emp_name", String(128), nullable=False),
    Column("psn_insu_date", String(10), nullable=False),
    Column("psn_insu_stas", String(1), nullable=False),
    Column("identities", Text, nullable=False, default="[]"),  # JSON [{psn_idet_type, ...}]
    Column("mulaid_psn_no", String(32), nullable=False, default=""),
)

accounts = Table(
    "accounts",
    metadata,
    Column("psn_no", String(32), primary_key=True),
    Column("balc", BigInteger, nullable=False),
    # Bumped by every change: the row a settlement locks (SELECT ... FOR UPDATE).
    Column("version", BigInteger, nullable=False, default=0),
)

account_txns = Table(
    "account_txns",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("psn_no", String(32), nullable=False, index=True),
    Column("setl_id", String(40), nullable=False),
    Column("amount", BigInteger, nullable=False),  # + credit, - payment
    Column("balc_after", BigInteger, nullable=False),
    Column("created_at", String(19), nullable=False),
)

accumulators = Table(
    "accumulators",
    metadata,
    Column("psn_no", String(32), primary_key=True),
    Column("period", String(7), primary_key=True),  # "2026" or "2026-10"
    # "<bucket>:dedc", "<bucket>:fund", "<bucket>:elig" (bucket "11" or "14:M01600"),
    # or person-wide "cvlserv" and "maf".
    Column("kind", String(32), primary_key=True),
    Column("amount", BigInteger, nullable=False),
)

filings = Table(
    "filings",
    metadata,
    Column("filing_id", String(40), primary_key=True),
    Column("psn_no", String(32), nullable=False, index=True),
    Column("insuplc_admdvs", String(6), nullable=False),
    Column("category", String(24), nullable=False),
    Column("dest_admdvs", String(6), nullable=False),
    Column("begndate", String(10), nullable=False),
    Column("enddate", String(10)),  # NULL: open-ended (long-term)
    Column("evidence", String(24), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("status", String(8), nullable=False),  # active | revoked
    Column("version", Integer, nullable=False),
    Column("memo", Text, nullable=False, default=""),
    Column("updated_at", String(19), nullable=False),
)

chronic_quals = Table(
    "chronic_quals",
    metadata,
    Column("qual_id", String(40), primary_key=True),
    Column("psn_no", String(32), nullable=False, index=True),
    Column("opsp_dise_code", String(10), nullable=False),
    Column("begndate", String(10), nullable=False),
    Column("enddate", String(10)),
    Column("status", String(8), nullable=False),  # active | revoked
    Column("hosp_name", String(128), nullable=False, default=""),
    Column("updated_at", String(19), nullable=False),
)

_AMOUNTS = (
    "medfee_sumamt",
    "fulamt_ownpay_amt",
    "overlmt_selfpay",
    "preselfpay_amt",
    "inscp_scp_amt",
    "act_pay_dedc",
    "hifp_pay",
    "cvlserv_pay",
    "maf_pay",
    "fund_pay_sumamt",
    "psn_part_amt",
    "acct_pay",
    "acct_mulaid_pay",
    "psn_cash_pay",
)

filing_outbox = Table(
    "filing_outbox",
    metadata,
    Column("event_id", String(40), primary_key=True),
    Column("payload", LargeBinary, nullable=False),  # a FilingEvent
    Column("created_at", String(19), nullable=False),
)
"""Filing changes committed here and not yet acknowledged by the hub's registry."""

admin_documents = Table(
    "admin_documents",
    metadata,
    Column("doc_id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),  # "policy" or "catalogue"
    Column("source_name", String(200), nullable=False),
    Column("yaml", Text, nullable=False),
    Column("loaded_at", String(19), nullable=False),
)
"""Policy and catalogue documents loaded through AdminService, reapplied in order at start."""

sign_ins = Table(
    "sign_ins",
    metadata,
    Column("sign_no", String(30), primary_key=True),
    Column("fixmedins_code", String(12), nullable=False, index=True),
    Column("opter_no", String(30), nullable=False),
    Column("mac", String(20), nullable=False),
    Column("ip", String(40), nullable=False),
    Column("signed_in_at", String(19), nullable=False),
    Column("signed_out_at", String(19), nullable=True),
)
"""9001 sign-ins of the HTTP interface: a call carries a sign_no that is here and not signed out."""

insured_settlements = Table(
    "insured_settlements",
    metadata,
    Column("setl_id", String(40), primary_key=True),
    Column("msgid", String(40), nullable=False, unique=True),
    Column("psn_no", String(32), nullable=False, index=True),
    # Every 2207 looks for the visit's active settlement by mdtrt_id: without this index that
    # was a scan of the whole table, growing with every settlement ever made.
    Column("mdtrt_id", String(40), nullable=False, index=True),
    Column("mdtrtarea_admvs", String(6), nullable=False),
    Column("fixmedins_code", String(12), nullable=False),
    Column("insuplc_admdvs", String(6), nullable=False),
    Column("insutype", String(3), nullable=False),
    Column("med_type", String(2), nullable=False),
    Column("setl_date", String(10), nullable=False),
    Column("setl_time", String(19), nullable=False),
    Column("refd_setl_flag", String(1), nullable=False),
    Column("init_setl_id", String(40), unique=True),
    Column("opsp_dise_code", String(10), nullable=False, default=""),
    Column("filing_category", String(24), nullable=False, default=""),
    *(Column(name, BigInteger, nullable=False) for name in _AMOUNTS),
    # What this settlement added to the accumulators of its bucket and took from the accounts
    # (JSON of StateDelta); a revocation applies exactly this with the opposite sign.
    Column("bucket", String(32), nullable=False),
    Column("delta", Text, nullable=False),
    Column("setlinfo", LargeBinary, nullable=False),  # the full answer, for 5203 queries
    # Reconciliation reads a period in pages, in (setl_time, setl_id) order.
    Index("ix_insured_settlements_setl_time_setl_id", "setl_time", "setl_id"),
)

# ---- treatment role -----------------------------------------------------------------------
visits = Table(
    "visits",
    metadata,
    Column("mdtrt_id", String(40), primary_key=True),
    Column("msgid", String(40), nullable=False, unique=True),
    Column("psn_no", String(32), nullable=False),
    Column("insuplc_admdvs", String(6), nullable=False),
    Column("mdtrtarea_admvs", String(6), nullable=False),
    Column("fixmedins_code", String(12), nullable=False),
    Column("medins_lv", String(1), nullable=False),
    Column("insutype", String(3), nullable=False),
    Column("med_type", String(2), nullable=False),
    Column("opsp_dise_code", String(10), nullable=False, default=""),
    Column("refl_flag", String(1), nullable=False, default="0"),
    # What the treatment place knew of the person's filing at registration (informational).
    Column("filing_id", String(40), nullable=False, default=""),
    Column("filing_status", String(24), nullable=False, default="unknown"),
    Column("begntime", String(19), nullable=False),
    Column("diag_codes", Text, nullable=False),  # comma-separated
    Column("status", String(12), nullable=False),  # open | settled | cancelled
    Column("created_at", String(19), nullable=False),
    # Added with 2202 (which names it); a database from before gets it empty at start.
    Column("ipt_otp_no", String(40), nullable=False, server_default=""),
)

fee_lines = Table(
    "fee_lines",
    metadata,
    Column("mdtrt_id", String(40), primary_key=True),
    Column("feedetl_sn", String(40), primary_key=True),
    Column("msgid", String(40), nullable=False),
    Column("med_list_codg", String(50), nullable=False),
    Column("med_list_name", String(128), nullable=False),
    Column("cnt", String(24), nullable=False),
    Column("pric", BigInteger, nullable=False),
    Column("det_item_fee_sumamt", BigInteger, nullable=False),
    Column("fee_ocur_time", String(19), nullable=False),
    Column("fulamt_ownpay_amt", BigInteger, nullable=False),
    Column("overlmt_amt", BigInteger, nullable=False),
    Column("preselfpay_amt", BigInteger, nullable=False),
    Column("inscp_scp_amt", BigInteger, nullable=False),
    Column("pric_uplmt_amt", BigInteger, nullable=False),
    Column("selfpay_prop_bp", Integer, nullable=False),
    Column("chrgitm_lv", String(2), nullable=False),
    Column("med_chrgitm_type", String(2), nullable=False),
    Column("lmt_used_flag", String(1), nullable=False),
    Column("list_type", String(3), nullable=False),
    Column("reason_codes", String(200), nullable=False),
    Column("memo", Text, nullable=False),
    # Added with 2205 (takes a batch back) and 5204 (shows them); empty in a database from before.
    Column("chrg_bchno", String(40), nullable=False, server_default=""),
    Column("medins_list_codg", String(50), nullable=False, server_default=""),
    Column("bilg_dept_codg", String(40), nullable=False, server_default=""),
    Column("bilg_dr_codg", String(40), nullable=False, server_default=""),
    Column("rx_circ_flag", String(3), nullable=False, server_default=""),
)

treatment_settlements = Table(
    "treatment_settlements",
    metadata,
    Column("setl_id", String(40), primary_key=True),
    Column("msgid", String(40), nullable=False, unique=True),
    Column("mdtrt_id", String(40), nullable=False, index=True),
    Column("psn_no", String(32), nullable=False),
    Column("insuplc_admdvs", String(6), nullable=False),
    Column("mdtrtarea_admvs", String(6), nullable=False),
    Column("fixmedins_code", String(12), nullable=False),
    Column("setl_time", String(19), nullable=False),
    Column("refd_setl_flag", String(1), nullable=False),
    Column("init_setl_id", String(40), unique=True),
    *(Column(name, BigInteger, nullable=False) for name in _AMOUNTS),
    Column("setlinfo", LargeBinary, nullable=False),
    Index("ix_treatment_settlements_setl_time_setl_id", "setl_time", "setl_id"),
)

AMOUNT_COLUMNS = _AMOUNTS


def amount_values(s: Settlement) -> dict[str, int]:
    """The amount columns of a settlement row (both roles store the same set)."""
    t = s.totals
    values = {
        "medfee_sumamt": t.medfee_sumamt,
        "fulamt_ownpay_amt": t.fulamt_ownpay_amt,
        "overlmt_selfpay": t.overlmt_selfpay,
        "preselfpay_amt": t.preselfpay_amt,
        "inscp_scp_amt": t.inscp_scp_amt,
        "act_pay_dedc": s.act_pay_dedc,
        "hifp_pay": s.hifp_pay,
        "cvlserv_pay": s.cvlserv_pay,
        "maf_pay": s.maf_pay,
        "fund_pay_sumamt": s.fund_pay_sumamt,
        "psn_part_amt": s.psn_part_amt,
        "acct_pay": s.acct_pay,
        "acct_mulaid_pay": s.acct_mulaid_pay,
        "psn_cash_pay": s.psn_cash_pay,
    }
    assert set(values) == set(AMOUNT_COLUMNS)
    return values
