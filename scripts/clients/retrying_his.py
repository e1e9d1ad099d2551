"""A hospital system that copes with a bad link the way a careful HIS does: it retries a call
that may or may not have taken effect with the same msgid (every mutating call is idempotent by
msgid), and when a 2207 settlement stays uncertain after its retries it sends a 2601 correction
naming the msgid (retried with the correction's own msgid until it gets an answer) and, the
patient still at the window, settles again under a new msgid.

Used by the fault test; a province team can read it as the client side of exactly-once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import grpc

from scripts import connect
from scripts.clients.his import His, Line
from services.pb.settlenet.v1 import (
    common_pb2,
    correction_pb2,
    correction_pb2_grpc,
    hospital_reconcile_pb2,
    hospital_reconcile_pb2_grpc,
    reconcile_pb2,
)

T = TypeVar("T")

UNCERTAIN = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
"""Statuses after which the call may or may not have taken effect."""


class GaveUp(Exception):
    """A call stayed uncertain through every retry."""


@dataclass
class Tally:
    """What the hospital saw, for the test's report."""

    retries: int = 0
    corrections: dict[str, int] = field(default_factory=dict)
    refusals: dict[str, int] = field(default_factory=dict)
    unexpected: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SettleOutcome:
    setlinfo: common_pb2.SetlInfo | None
    """The settlement that stands, or None when the visit ended unsettled."""
    msgids: tuple[str, ...]
    """Every 2207 msgid tried for the visit."""
    corrected: tuple[str, ...]
    """The msgids corrected by a 2601."""


class RetryingHis(His):
    def __init__(
        self,
        channel: grpc.aio.Channel,
        fixmedins_code: str,
        mdtrtarea_admvs: str,
        *,
        attempts: int = 3,
        patience: int = 40,
        backoff_s: float = 0.01,
        timeout: float = 10.0,
    ) -> None:
        super().__init__(channel, fixmedins_code, mdtrtarea_admvs, timeout=timeout)
        self.corrections = correction_pb2_grpc.CorrectionServiceStub(channel)
        self.attempts = attempts
        """Tries of a 2207 before it is corrected."""
        self.patience = patience
        """Tries of a call that must get an answer (2201, 2204, 2208, 2601, 5203)."""
        self.backoff_s = backoff_s
        self.tally = Tally()
        self.books: dict[str, common_pb2.SetlInfo] = {}
        """Every settlement and revocation record this hospital was told of, by setl_id: what
        it reconciles with its treatment node (3201/3202)."""
        self.reconciler = hospital_reconcile_pb2_grpc.HospitalReconcileServiceStub(channel)

    def book(self, *infos: common_pb2.SetlInfo) -> None:
        for info in infos:
            if info.setl_id:
                self.books[info.setl_id] = info

    async def _retry(self, call: Callable[[], Awaitable[T]], tries: int) -> T:
        for attempt in range(tries):
            try:
                return await call()
            except grpc.aio.AioRpcError as exc:
                if exc.code() not in UNCERTAIN:
                    raise
                self.tally.retries += 1
                await asyncio.sleep(self.backoff_s * (attempt + 1))
        raise GaveUp(f"no answer after {tries} tries")

    async def register_surely(
        self, insuplc_admdvs: str, psn_no: str, insutype: str, begntime: str
    ) -> str:
        msgid = self.msgid()
        res = await self._retry(
            lambda: self.stub.RegisterVisit(
                self._register_request(insuplc_admdvs, psn_no, insutype, begntime, msgid),
                timeout=self.timeout,
            ),
            self.patience,
        )
        return str(res.mdtrt_id)

    def _register_request(
        self, insuplc_admdvs: str, psn_no: str, insutype: str, begntime: str, msgid: str
    ) -> Any:
        from services.pb.settlenet.v1 import treatment_pb2

        return treatment_pb2.RegisterVisitRequest(
            header=self.header("2201", insuplc_admdvs, msgid),
            psn_no=psn_no,
            insutype=insutype,
            begntime=begntime,
            mdtrt_cert_type="01",
            mdtrt_cert_no=psn_no,
            ipt_otp_no=f"OP{psn_no[-6:]}",
            med_type="11",
            dept_code="A03",
            dept_name="内科",
            diseinfo=[common_pb2.Diagnosis(diag_code="J06.900")],
        )

    async def upload_surely(
        self, insuplc_admdvs: str, mdtrt_id: str, psn_no: str, lines: list[Line], fee_time: str
    ) -> None:
        from services.pb.settlenet.v1 import treatment_pb2

        request = treatment_pb2.UploadFeeDetailsRequest(
            header=self.header("2204", insuplc_admdvs),
            mdtrt_id=mdtrt_id,
            psn_no=psn_no,
            feedetail=[
                treatment_pb2.FeeDetail(
                    feedetl_sn=f"{1 + i:04d}",
                    fee_ocur_time=fee_time,
                    med_list_codg=x.code,
                    cnt=x.cnt,
                    pric=x.pric,
                    det_item_fee_sumamt=x.amount(),
                )
                for i, x in enumerate(lines)
            ],
        )
        await self._retry(
            lambda: self.stub.UploadFeeDetails(request, timeout=self.timeout), self.patience
        )

    async def correct(
        self, insuplc_admdvs: str, psn_no: str, omsgid: str, oinfno: str = "2207"
    ) -> correction_pb2.CorrectionResult:
        request = correction_pb2.CorrectionRequest(
            header=self.header("2601", insuplc_admdvs), psn_no=psn_no, omsgid=omsgid, oinfno=oinfno
        )
        result: correction_pb2.CorrectionResult = await self._retry(
            lambda: self.corrections.Correct(request, timeout=self.timeout), self.patience
        )
        self.tally.corrections[result.outcome] = self.tally.corrections.get(result.outcome, 0) + 1
        self.book(result.original, result.reversal)
        return result

    async def message_status(
        self, insuplc_admdvs: str, omsgid: str, *, follow: bool = False
    ) -> correction_pb2.MessageStatus:
        request = correction_pb2.MessageStatusQuery(
            header=self.header("5203", insuplc_admdvs), omsgid=omsgid, follow=follow
        )
        status: correction_pb2.MessageStatus = await self._retry(
            lambda: self.corrections.QueryMessage(request, timeout=self.timeout), self.patience
        )
        return status

    async def settle_surely(
        self,
        insuplc_admdvs: str,
        mdtrt_id: str,
        psn_no: str,
        insutype: str,
        medfee_sumamt: int,
        *,
        rounds: int = 3,
    ) -> SettleOutcome:
        """Settle the visit: each round one msgid, retried; an uncertain round is corrected
        and the next round starts; a msgid the network burned by itself (presumed abort,
        docs/exactly-once.md) also ends a round. Returns what stands."""
        msgids: list[str] = []
        corrected: list[str] = []
        for _ in range(rounds):
            request = self.settle_request(
                "2207", insuplc_admdvs, mdtrt_id, psn_no, insutype, medfee_sumamt
            )
            msgids.append(request.header.msgid)
            try:
                res = await self._retry(
                    lambda r=request: self.stub.Settle(  # type: ignore[misc]
                        r, timeout=self.timeout
                    ),
                    self.attempts,
                )
                self.book(res.setlinfo)
                return SettleOutcome(res.setlinfo, tuple(msgids), tuple(corrected))
            except GaveUp:
                pass
            except grpc.aio.AioRpcError as exc:
                self._refused(exc)
                if not await self._closed_by_the_network(exc, insuplc_admdvs, request):
                    return SettleOutcome(None, tuple(msgids), tuple(corrected))
                continue  # the network burned or reversed it: settle again, new msgid
            await self.correct(insuplc_admdvs, psn_no, request.header.msgid)
            corrected.append(request.header.msgid)
        return SettleOutcome(None, tuple(msgids), tuple(corrected))

    async def _closed_by_the_network(
        self, exc: grpc.aio.AioRpcError, insuplc_admdvs: str, request: Any
    ) -> bool:
        """A retry refused because the nodes resolved the msgid by themselves while it was in
        doubt (docs/exactly-once.md): burned, or taken effect and reversed. Ask its status and
        book what it left (the original and its reversal), as a correction's answer would
        have been booked; True when the visit may be settled again."""
        from services.rpc.status import details_of

        if details_of(exc)[1] not in ("MSGID_BURNED", "MSGID_CORRECTED"):
            return False
        status = await self.message_status(insuplc_admdvs, request.header.msgid)
        self.book(status.setlinfo, status.reversal)
        return True

    async def revoke_surely(
        self, insuplc_admdvs: str, setl_id: str, mdtrt_id: str, psn_no: str
    ) -> common_pb2.SetlInfo:
        msgid = self.msgid()
        res = await self._retry(
            lambda: self.revoke(insuplc_admdvs, setl_id, mdtrt_id, psn_no, msgid=msgid),
            self.patience,
        )
        self.book(res.setlinfo)
        return res.setlinfo

    async def reconcile(
        self, begndate: str = "", enddate: str = "", books: list[common_pb2.SetlInfo] | None = None
    ) -> tuple[
        hospital_reconcile_pb2.HospitalTotalsResult, hospital_reconcile_pb2.HospitalDetailsResult
    ]:
        """3201 then 3202 with the treatment node, from ``books`` (default: this HIS's)."""
        rows = [
            reconcile_pb2.ReconcileRecord(
                setl_id=s.setl_id,
                mdtrt_id=s.mdtrt_id,
                psn_no=s.psn_no,
                insuplc_admdvs=s.insuplc_admdvs,
                mdtrtarea_admvs=s.mdtrtarea_admvs,
                fixmedins_code=s.fixmedins_code,
                setl_time=s.setl_time,
                refd_setl_flag=s.refd_setl_flag,
                medfee_sumamt=s.medfee_sumamt,
                fund_pay_sumamt=s.fund_pay_sumamt,
                acct_pay=s.acct_pay,
                psn_cash_pay=s.psn_cash_pay,
            )
            for s in (books if books is not None else self.books.values())
            if (not begndate or s.setl_time[:10] >= begndate)
            and (not enddate or s.setl_time[:10] <= enddate)
        ]
        totals = await self._retry(
            lambda: self.reconciler.Totals(
                hospital_reconcile_pb2.HospitalTotalsRequest(
                    header=self.header("3201", ""),
                    begndate=begndate,
                    enddate=enddate,
                    count=len(rows),
                    medfee_sumamt=sum(r.medfee_sumamt for r in rows),
                    fund_pay_sumamt=sum(r.fund_pay_sumamt for r in rows),
                    acct_pay=sum(r.acct_pay for r in rows),
                ),
                timeout=self.timeout,
            ),
            self.patience,
        )
        details = await self._retry(
            lambda: self.reconciler.Details(
                hospital_reconcile_pb2.HospitalDetailsRequest(
                    header=self.header("3202", ""), begndate=begndate, enddate=enddate, records=rows
                ),
                timeout=self.timeout,
            ),
            self.patience,
        )
        return totals, details

    def _refused(self, exc: grpc.aio.AioRpcError) -> None:
        from services.rpc.status import details_of

        _, reason = details_of(exc)
        key = f"{exc.code().name} {reason}"
        self.tally.refusals[key] = self.tally.refusals.get(key, 0) + 1
        if exc.code() in (grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN):
            self.tally.unexpected.append(f"{key}: {exc.details()}")


def main(argv: list[str] | None = None) -> int:
    """``python -m scripts.clients.retrying_his --target DIR/network.json``: one sample visit
    settled the careful way (retries by msgid, 2601 when uncertain), then reconciled (3201)."""
    import argparse
    import json
    import sys
    from datetime import timedelta
    from pathlib import Path

    from google.protobuf.json_format import MessageToDict

    from scripts import target, visit
    from services.rpc.status import describe_rpc_error
    from services.values import clock

    p = argparse.ArgumentParser(
        prog="python -m scripts.clients.retrying_his",
        description="A HIS that retries and corrects: settle one sample visit against a "
        "running network (settlenet up, e.g. with --faults) and print what stands.",
    )
    p.add_argument("--target", type=Path, required=True, help="DIR/network.json")
    p.add_argument("--treat", default="11", help="treatment province code (default 11)")
    p.add_argument("--insured", default="13", help="insured province code (default 13)")
    args = p.parse_args(argv)

    async def drive() -> dict[str, Any]:
        doc = target.load(args.target)
        target.province_endpoint(doc, args.treat, args.target)
        target.province_endpoint(doc, args.insured, args.target)
        inst, person, lines, region = visit.pick(doc, args.treat, args.insured)
        now = clock.now()
        async with connect.hospitals(doc, args.treat) as ch:
            his = RetryingHis(ch, inst["fixmedins_code"], inst["admdvs"])
            begntime = clock.format_time(now - timedelta(minutes=30))
            mdtrt_id = await his.register_surely(region, person["psn_no"], "310", begntime)
            fee_time = clock.format_time(now - timedelta(minutes=20))
            await his.upload_surely(region, mdtrt_id, person["psn_no"], lines, fee_time)
            total = sum(x.amount() for x in lines)
            out = await his.settle_surely(region, mdtrt_id, person["psn_no"], "310", total)
            totals, _details = await his.reconcile()
        return {
            "setl_id": out.setlinfo.setl_id if out.setlinfo else None,
            "msgids": list(out.msgids),
            "corrected": list(out.corrected),
            "retries": his.tally.retries,
            "reconcile_3201": {
                k: v
                for k, v in MessageToDict(totals, preserving_proto_field_name=True).items()
                if k != "header"
            },
        }

    try:
        print(json.dumps(asyncio.run(drive()), ensure_ascii=False, indent=2))
    except target.TargetError as exc:
        print(f"{p.prog}: {exc}", file=sys.stderr)
        return 2
    except (grpc.RpcError, GaveUp) as exc:
        text = describe_rpc_error(exc) if isinstance(exc, grpc.RpcError) else str(exc)
        print(f"{p.prog}: {text}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    from scripts.options import ends_quietly  # piped to head: ends quietly, as settlenet does

    raise SystemExit(ends_quietly(main))
