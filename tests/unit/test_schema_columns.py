"""A node's database from before a column was added gets the column at the next start, with its
server default in the rows it already held (2202/2205 added ``visits.ipt_otp_no`` and the fee
lines' ``chrg_bchno`` and origin)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from provincial_nodes.adapters.tables import metadata
from services.storage.database import Database, sqlite_url


def test_an_older_database_gets_the_new_columns_with_their_defaults(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = Database(sqlite_url(path), metadata)
    db.create_schema()
    db.close()
    with sqlite3.connect(path) as raw:  # as a node from before the columns left it
        for column in ("chrg_bchno", "medins_list_codg", "bilg_dept_codg", "bilg_dr_codg"):
            raw.execute(f"ALTER TABLE fee_lines DROP COLUMN {column}")
        raw.execute("ALTER TABLE visits DROP COLUMN ipt_otp_no")
        raw.execute(
            "INSERT INTO fee_lines (mdtrt_id, feedetl_sn, msgid, med_list_codg, med_list_name, "
            "cnt, pric, det_item_fee_sumamt, fee_ocur_time, fulamt_ownpay_amt, overlmt_amt, "
            "preselfpay_amt, inscp_scp_amt, pric_uplmt_amt, selfpay_prop_bp, chrgitm_lv, "
            "med_chrgitm_type, lmt_used_flag, list_type, reason_codes, memo) VALUES "
            "('V1', '0001', 'M1', 'X', 'x', '1', 100, 100, '2026-10-15 09:00:00', 0, 0, 0, 100, "
            "0, 0, '01', '09', '0', '101', '', '')"
        )
    again = Database(sqlite_url(path), metadata)
    again.create_schema()
    again.create_schema()  # and a start after that adds nothing twice
    again.close()
    with sqlite3.connect(path) as raw:
        names = [r[1] for r in raw.execute("PRAGMA table_info(fee_lines)")]
        assert {"chrg_bchno", "medins_list_codg", "bilg_dept_codg", "bilg_dr_codg"} <= set(names)
        assert "ipt_otp_no" in [r[1] for r in raw.execute("PRAGMA table_info(visits)")]
        assert raw.execute("SELECT chrg_bchno, bilg_dr_codg FROM fee_lines").fetchall() == [
            ("", "")
        ]
