"""The hub's schema. The routed-message log is append-only: every message the hub routes gets
one row, whatever its outcome."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Integer, LargeBinary, MetaData, String, Table, Text

from services.ledger.holds import hold_tables
from services.ledger.store import ledger_tables
from services.storage.in_doubt import in_doubt_table
from services.storage.journal import journal_table

metadata = MetaData()
journal = journal_table(metadata)
in_doubt = in_doubt_table(metadata)
"""What the hub forwarded to insured nodes (2207, 2208), written before it went out, closed
once its outcome is recorded (``services/storage/in_doubt.py``)."""
ledger = ledger_tables(metadata)
"""The hub's ledger: advances drawn and what is owed to treatment provinces."""
holds = hold_tables(metadata)
"""Its holds (two-phase transfers): top-ups promised and not yet paid."""

nodes = Table(
    "nodes",
    metadata,
    Column("province_code", String(2), primary_key=True),
    Column("endpoint", String(255), nullable=False),
    Column("admdvs", Text, nullable=False),  # comma-separated insured regions
    Column("name", String(64), nullable=False),
    Column("registered_at", String(19), nullable=False),
    Column("http_endpoint", String(255), nullable=False, server_default=""),
    Column("version", String(32), nullable=False, server_default=""),
)

routed_messages = Table(
    "routed_messages",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("msgid", String(40), nullable=False, index=True),
    Column("infno", String(8), nullable=False),
    Column("from_province", String(2), nullable=False),
    Column("to_province", String(2), nullable=False),
    Column("outcome", String(32), nullable=False),
    Column("setl_id", String(40), nullable=False),
    Column("fund_pay_sumamt", BigInteger, nullable=False),
    Column("routed_at", String(19), nullable=False),
    Column("latency_ms", BigInteger, nullable=False),
    # What went out and what came back (``settlenet journal``, ``settlenet replay``); empty
    # when the hub runs with --no-journal-bodies.
    Column("request", LargeBinary, nullable=True),
    Column("response", LargeBinary, nullable=True),
    Column("error_message", Text, nullable=False, server_default=""),
    Column("error_reason", String(40), nullable=False, server_default=""),
)

filing_events = Table(
    "filing_events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(40), nullable=False, unique=True),
    Column("infno", String(8), nullable=False),
    Column("psn_no", String(32), nullable=False, index=True),
    Column("insuplc_admdvs", String(6), nullable=False),
    Column("filing_id", String(40), nullable=False, index=True),  # or the qual_id
    Column("dest_admdvs", String(6), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("event_time", String(19), nullable=False),
    Column("received_at", String(19), nullable=False),
    Column("payload", LargeBinary, nullable=False),  # the FilingEvent
)
"""The national filing registry: every filing and qualification change, append-only."""

hub_settlements = Table(
    "hub_settlements",
    metadata,
    Column("setl_id", String(40), primary_key=True),
    Column("msgid", String(40), nullable=False),
    Column("mdtrt_id", String(40), nullable=False),
    Column("psn_no", String(32), nullable=False),
    Column("insuplc_admdvs", String(6), nullable=False),
    Column("mdtrtarea_admvs", String(6), nullable=False),
    Column("fixmedins_code", String(12), nullable=False),
    Column("setl_time", String(19), nullable=False, index=True),
    Column("refd_setl_flag", String(1), nullable=False),
    Column("medfee_sumamt", BigInteger, nullable=False),
    Column("fund_pay_sumamt", BigInteger, nullable=False),
    Column("acct_pay", BigInteger, nullable=False),
    Column("psn_cash_pay", BigInteger, nullable=False),
)
"""Every settlement and revocation the hub routed successfully (for reconciliation and
clearing), written in the transaction that journals it."""

advances = Table(
    "advances",
    metadata,
    Column("province_code", String(2), primary_key=True),
    Column("size_fen", BigInteger, nullable=False),
    # What is left, kept in the same transaction as each transfer on ``advance:<province>``
    # (checked against the ledger by ``advance.drift``).
    Column("available_fen", BigInteger, nullable=False),
    Column("flagged_count", BigInteger, nullable=False),
    Column("updated_at", String(19), nullable=False),
)
"""Each insured province's advance: its size and what is left."""

clearing_statements = Table(
    "clearing_statements",
    metadata,
    Column("month", String(7), primary_key=True),
    Column("province", String(2), primary_key=True),
    Column("counterpart", String(2), primary_key=True),
    Column("payable_fen", BigInteger, nullable=False),
    Column("payable_count", BigInteger, nullable=False),
    Column("receivable_fen", BigInteger, nullable=False),
    Column("receivable_count", BigInteger, nullable=False),
    Column("cleared_at", String(19), nullable=False),
)
"""Each cleared month's statement lines (written once, when the month is cleared)."""

clearing_confirmations = Table(
    "clearing_confirmations",
    metadata,
    Column("month", String(7), primary_key=True),
    Column("province", String(2), primary_key=True),
    Column("confirmed_at", String(19), nullable=False),
)
