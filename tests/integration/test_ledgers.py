"""Every settlement posts to the ledgers of the treatment node, the hub and the insured node in
the same transaction as its record; each posting equals the split; a revocation posts the exact
reverse; every ledger balances."""

from __future__ import annotations

from services.ledger import store as ledger_store
from tests.conftest import REGION, Net, open_visit


def _ledger(net: Net, node: str):
    if node == "hub":
        from national_hub.adapters.tables import ledger

        return net.net.hub.db, ledger
    from provincial_nodes.adapters.tables import ledger

    return net.net.provinces[node].db, ledger


def _balance(net: Net, node: str, since: dict[str, int] | None = None) -> dict[str, int]:
    """Net balance per account (debits − credits), less ``since``'s, zeros dropped."""
    db, tables = _ledger(net, node)
    debits, credits = db.transact_sync(ledger_store.trial_balance, tables)
    assert debits == credits
    now = {a: b.net_fen for a, b in db.transact_sync(ledger_store.balances, tables).items()}
    since = since or {}
    moved = {a: now.get(a, 0) - since.get(a, 0) for a in set(now) | set(since)}
    return {a: v for a, v in moved.items() if v}


async def test_settlement_postings_equal_the_split_and_revocation_reverses_them(net: Net) -> None:
    p = net.person(5)  # a retiree with an account, filed in Beijing
    opening = {node: _balance(net, node) for node in ("13", "hub", "11")}  # advances funded
    mdtrt_id, total = await open_visit(net, p)
    msgid = net.his.msgid()
    s = (await net.his.settle(REGION, mdtrt_id, p.psn_no, p.insutype, total, msgid=msgid)).setlinfo
    again = (
        await net.his.settle(REGION, mdtrt_id, p.psn_no, p.insutype, total, msgid=msgid)
    ).setlinfo  # a retry of the same 2207
    assert again.setl_id == s.setl_id
    assert s.fund_pay_sumamt > 0 and s.acct_pay > 0 and s.psn_cash_pay > 0
    insured, hub, treat = (_balance(net, n, opening[n]) for n in ("13", "hub", "11"))
    funds = {d.fund_pay_type: d.fund_payamt for d in s.setldetail}
    assert insured == {
        **{f"fund:{k}": v for k, v in funds.items()},
        "personal_accounts": s.acct_pay,
        "due_to_province:11": -(s.fund_pay_sumamt + s.acct_pay),
    }
    assert hub == {
        "advance:13": s.fund_pay_sumamt + s.acct_pay,
        "owed_to_province:11": -(s.fund_pay_sumamt + s.acct_pay),
    }
    inst = net.his.fixmedins_code
    assert treat == {
        "receivable_from_province:13": s.fund_pay_sumamt + s.acct_pay,
        "patient_cash": s.psn_cash_pay,
        f"payable_to_hospital:{inst}": -total,
    }
    # The retry posted nothing twice anywhere (the balances above count the settlement once).
    for node in ("13", "hub", "11"):
        db, tables = _ledger(net, node)
        refs = {t.ref for t in db.transact_sync(ledger_store.transfers, tables)}
        assert refs - {"advance:11", "advance:13"} == {s.setl_id}

    await net.his.revoke(REGION, s.setl_id, mdtrt_id, p.psn_no)
    for node in ("13", "hub", "11"):
        assert _balance(net, node, opening[node]) == {}, node
