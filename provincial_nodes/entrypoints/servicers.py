"""grpc.aio servicers of the province node: validate the envelope, convert, hand off, answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeAlias, TypeVar

from provincial_nodes.adapters.unit_of_work import UnitOfWork, Units
from provincial_nodes.domain.catalogue import LineClassification
from provincial_nodes.domain.settlement import Settlement
from provincial_nodes.entrypoints import convert
from provincial_nodes.service_layer import dry_run
from provincial_nodes.service_layer.admin import AdminRole, Loaded
from provincial_nodes.service_layer.insured import InsuredRole
from provincial_nodes.service_layer.treatment import (
    RegisterCommand,
    SettleVisit,
    TreatmentRole,
    UploadCommand,
    today,
)
from provincial_nodes.service_layer.visit_changes import (
    CancelLines,
    CancelVisit,
    VisitChanges,
    VisitDiagnoses,
)
from services.pb.settlenet.v1 import (
    admin_pb2,
    admin_pb2_grpc,
    common_pb2,
    insured_pb2,
    insured_pb2_grpc,
    treatment_pb2,
    treatment_pb2_grpc,
)
from services.rpc.admission import Admission
from services.rpc.envelope import Envelope, ResponseHeaders, check_header
from services.rpc.handler import rpc
from services.storage.database import Database
from services.storage.journal import body_hash
from services.values import clock
from services.values.errors import InvalidField

Ctx: TypeAlias = Any
"""``grpc.aio.ServicerContext`` (grpc ships no type annotations)."""


def envelope_of(
    request: Any, infno: str, *, mutating: bool = False, need_fixmedins: bool = True
) -> Envelope:
    check_header(
        request.header if request.HasField("header") else None, infno, need_fixmedins=need_fixmedins
    )
    return Envelope.of(request.header, body_hash(request) if mutating else "")


M = TypeVar("M")
T = TypeVar("T")


def reply(cls: type[M], payload: bytes) -> M:
    """The response message ``cls`` a handler gave as bytes (journalled, replayed)."""
    message_type: Any = cls  # FromString is protobuf's Message's, which has no type stubs here
    message: M = message_type.FromString(payload)
    return message


class NodeServicer:
    """What both roles' servicers share: the node's database and its response headers."""

    admission: Admission | None = None
    """The limit on visits started at once (the treatment role's, with ``--admit-latency-ms``;
    ``services.rpc.admission``); None: every call is taken."""

    def __init__(self, db: Database, headers: ResponseHeaders) -> None:
        self.db = db
        self.units = Units(db)
        """Runs the handlers, each as one unit of work."""
        self.headers = headers

    def _header(self, env: Envelope, received: Any) -> common_pb2.ResponseHeader:
        header: common_pb2.ResponseHeader = self.headers.make(
            common_pb2.ResponseHeader, env.msgid, received
        )
        return header


class TreatmentServicer(NodeServicer, treatment_pb2_grpc.TreatmentServiceServicer):
    """Served to hospitals."""

    def __init__(self, role: TreatmentRole, db: Database, headers: ResponseHeaders) -> None:
        super().__init__(db, headers)
        self.role = role
        self.changes = VisitChanges(role)
        """2202, 2203, 2205 and 5204."""

    @rpc("1101")
    async def QueryPerson(
        self, request: insured_pb2.PersonQuery, context: Ctx
    ) -> insured_pb2.PersonInfo:
        received = clock.now()
        env = envelope_of(request, "1101")
        view = await self.role.query_person(convert.person_lookup(request, env))
        info = convert.person_to_proto(view, today())
        info.header.CopyFrom(self._header(env, received))
        return info

    @rpc("2201")
    async def RegisterVisit(
        self, request: treatment_pb2.RegisterVisitRequest, context: Ctx
    ) -> treatment_pb2.RegisterVisitResponse:
        received = clock.now()
        env = envelope_of(request, "2201", mutating=True)
        convert.parse_time_date("begntime", request.begntime)
        med_type = convert.code("med_type", request.med_type, convert.MED_TYPES, "medical type")
        cmd = RegisterCommand(
            env=env,
            psn_no=convert.required("psn_no", request.psn_no),
            insutype=convert.code(
                "insutype", request.insutype, convert.INSUTYPES, "insurance type"
            ),
            med_type=med_type,
            begntime=request.begntime,
            diag_codes=convert.diagnosis_codes(request.diseinfo),
            opsp_dise_code=convert.disease_for(med_type, request.opsp_dise_code),
            refl_flag=convert.code("refl_flag", request.refl_flag or "0", {"0", "1"}, "flag"),
            ipt_otp_no=request.ipt_otp_no,
        )
        if request.mdtrt_cert_type:
            convert.code(
                "mdtrt_cert_type",
                request.mdtrt_cert_type,
                convert.MDTRT_CERT_TYPES,
                "certificate type",
            )
        if request.mdtrt_cert_type == "02":
            convert.check_certno("mdtrt_cert_no", request.mdtrt_cert_no)

        def encode(mdtrt_id: str, filing_id: str, filing_status: str) -> bytes:
            return bytes(
                treatment_pb2.RegisterVisitResponse(
                    header=self._header(env, received),
                    mdtrt_id=mdtrt_id,
                    psn_no=request.psn_no,
                    ipt_otp_no=request.ipt_otp_no,
                    filing_id=filing_id,
                    filing_status=filing_status,
                ).SerializeToString()
            )

        await self.role.admit(cmd)
        payload = await self.units.run(self.role.register, cmd, encode)
        return reply(treatment_pb2.RegisterVisitResponse, payload)

    @rpc("2204")
    async def UploadFeeDetails(
        self, request: treatment_pb2.UploadFeeDetailsRequest, context: Ctx
    ) -> treatment_pb2.UploadFeeDetailsResponse:
        received = clock.now()
        env = envelope_of(request, "2204", mutating=True)
        cmd = UploadCommand(
            env=env,
            mdtrt_id=convert.required("mdtrt_id", request.mdtrt_id),
            psn_no=convert.required("psn_no", request.psn_no),
            lines=convert.fee_lines(request),
            origins=convert.line_origins(request),
            chrg_bchno=request.chrg_bchno,
        )

        def encode(lines: list[LineClassification]) -> bytes:
            return bytes(
                treatment_pb2.UploadFeeDetailsResponse(
                    header=self._header(env, received),
                    result=[convert.line_result(c) for c in lines],
                ).SerializeToString()
            )

        payload = await self.units.run(self.role.upload, cmd, encode)
        return reply(treatment_pb2.UploadFeeDetailsResponse, payload)

    def _settle_visit(
        self, request: treatment_pb2.SettleRequest, env: Envelope, with_totals: bool
    ) -> SettleVisit:
        declared = None
        if with_totals and any(
            (
                request.fulamt_ownpay_amt,
                request.overlmt_selfpay,
                request.preselfpay_amt,
                request.inscp_scp_amt,
            )
        ):
            declared = convert.totals_of(request)
        if request.psn_setlway and request.psn_setlway not in ("01", "02"):
            raise InvalidField(
                "psn_setlway",
                request.psn_setlway,
                "unknown settlement way; 01 by item, 02 by quota",
            )
        return SettleVisit(
            env=env,
            mdtrt_id=convert.required("mdtrt_id", request.mdtrt_id),
            psn_no=convert.required("psn_no", request.psn_no),
            med_type=convert.code("med_type", request.med_type, convert.MED_TYPES, "medical type"),
            insutype=convert.code(
                "insutype", request.insutype, convert.INSUTYPES, "insurance type"
            ),
            medfee_sumamt=convert.amount("medfee_sumamt", request.medfee_sumamt),
            acct_used=convert.code(
                "acct_used_flag", request.acct_used_flag or "0", {"0", "1"}, "flag"
            )
            == "1",
            declared=declared,
        )

    @rpc("2206")
    async def PreSettle(
        self, request: treatment_pb2.SettleRequest, context: Ctx
    ) -> treatment_pb2.SettleResponse:
        received = clock.now()
        env = envelope_of(request, "2206")
        settlement = await self.role.pre_settle(self._settle_visit(request, env, False))
        return treatment_pb2.SettleResponse(
            header=self._header(env, received), setlinfo=convert.settlement_to_proto(settlement)
        )

    @rpc("2207")
    async def Settle(
        self, request: treatment_pb2.SettleRequest, context: Ctx
    ) -> treatment_pb2.SettleResponse:
        received = clock.now()
        env = envelope_of(request, "2207", mutating=True)
        cmd = self._settle_visit(request, env, True)

        def encode(s: Settlement) -> bytes:
            return bytes(
                treatment_pb2.SettleResponse(
                    header=self._header(env, received), setlinfo=convert.settlement_to_proto(s)
                ).SerializeToString()
            )

        return reply(treatment_pb2.SettleResponse, await self.role.settle(cmd, encode))

    @rpc("2208")
    async def RevokeSettlement(
        self, request: treatment_pb2.RevokeSettlementRequest, context: Ctx
    ) -> treatment_pb2.RevokeSettlementResponse:
        received = clock.now()
        env = envelope_of(request, "2208", mutating=True)
        cmd = convert.revoke_command(request, env)

        def encode(s: Settlement) -> bytes:
            return bytes(
                treatment_pb2.RevokeSettlementResponse(
                    header=self._header(env, received), setlinfo=convert.settlement_to_proto(s)
                ).SerializeToString()
            )

        payload = await self.role.revoke(cmd, encode)
        return reply(treatment_pb2.RevokeSettlementResponse, payload)

    @rpc("5203")
    async def QuerySettlement(
        self, request: treatment_pb2.QuerySettlementRequest, context: Ctx
    ) -> treatment_pb2.QuerySettlementResponse:
        received = clock.now()
        env = envelope_of(request, "5203")
        raws = await self.units.run(
            self.role.settlements, env, convert.required("mdtrt_id", request.mdtrt_id)
        )
        infos = [common_pb2.SetlInfo.FromString(r) for r in raws]
        if request.setl_id:
            infos = [i for i in infos if request.setl_id in (i.setl_id, i.init_setl_id)]
        return treatment_pb2.QuerySettlementResponse(
            header=self._header(env, received), setlinfo=infos
        )

    @rpc("2202")
    async def CancelRegistration(
        self, request: treatment_pb2.CancelRegistrationRequest, context: Ctx
    ) -> treatment_pb2.CancelRegistrationResponse:
        received = clock.now()
        env = envelope_of(request, "2202", mutating=True)
        cmd = CancelVisit(
            env=env,
            mdtrt_id=convert.required("mdtrt_id", request.mdtrt_id),
            psn_no=convert.required("psn_no", request.psn_no),
            ipt_otp_no=request.ipt_otp_no,
        )

        def encode(removed: int) -> bytes:
            return bytes(
                treatment_pb2.CancelRegistrationResponse(
                    header=self._header(env, received),
                    mdtrt_id=request.mdtrt_id,
                    psn_no=request.psn_no,
                    ipt_otp_no=request.ipt_otp_no,
                    removed_lines=removed,
                ).SerializeToString()
            )

        payload = await self.units.run(self.changes.cancel_registration, cmd, encode)
        return reply(treatment_pb2.CancelRegistrationResponse, payload)

    @rpc("2203")
    async def UploadDiagnoses(
        self, request: treatment_pb2.UploadDiagnosesRequest, context: Ctx
    ) -> treatment_pb2.UploadDiagnosesResponse:
        received = clock.now()
        env = envelope_of(request, "2203", mutating=True)
        info = request.mdtrtinfo
        med_type = convert.code(
            "mdtrtinfo.med_type", info.med_type, convert.MED_TYPES, "medical type"
        )
        convert.parse_time_date("mdtrtinfo.begntime", info.begntime)
        if not 0 <= info.geso_val <= 99:
            raise InvalidField("mdtrtinfo.geso_val", info.geso_val, "weeks of pregnancy, 0 to 99")
        if info.birctrl_matn_date:
            convert.parse_date("mdtrtinfo.birctrl_matn_date", info.birctrl_matn_date)
        cmd = VisitDiagnoses(
            env=env,
            mdtrt_id=convert.required("mdtrtinfo.mdtrt_id", info.mdtrt_id),
            psn_no=convert.required("mdtrtinfo.psn_no", info.psn_no),
            med_type=med_type,
            opsp_dise_code=convert.disease_for(
                med_type, info.dise_codg if med_type == "14" else "", "mdtrtinfo.dise_codg"
            ),
            diag_codes=convert.diagnosis_codes(request.diseinfo, at_least_one=True),
        )

        def encode() -> bytes:
            return bytes(
                treatment_pb2.UploadDiagnosesResponse(
                    header=self._header(env, received),
                    mdtrt_id=cmd.mdtrt_id,
                    med_type=cmd.med_type,
                    opsp_dise_code=cmd.opsp_dise_code,
                    diag_codes=cmd.diag_codes,
                ).SerializeToString()
            )

        payload = await self.units.run(self.changes.upload_diagnoses, cmd, encode)
        return reply(treatment_pb2.UploadDiagnosesResponse, payload)

    @rpc("2205")
    async def CancelFeeDetails(
        self, request: treatment_pb2.CancelFeeDetailsRequest, context: Ctx
    ) -> treatment_pb2.CancelFeeDetailsResponse:
        received = clock.now()
        env = envelope_of(request, "2205", mutating=True)
        cmd = CancelLines(
            env=env,
            mdtrt_id=convert.required("mdtrt_id", request.mdtrt_id),
            psn_no=convert.required("psn_no", request.psn_no),
            chrg_bchno=convert.required("chrg_bchno", request.chrg_bchno),
        )

        def encode(removed: list[str]) -> bytes:
            return bytes(
                treatment_pb2.CancelFeeDetailsResponse(
                    header=self._header(env, received),
                    mdtrt_id=request.mdtrt_id,
                    chrg_bchno=request.chrg_bchno,
                    feedetl_sn=removed,
                ).SerializeToString()
            )

        payload = await self.units.run(self.changes.cancel_fee_details, cmd, encode)
        return reply(treatment_pb2.CancelFeeDetailsResponse, payload)

    @rpc("5204")
    async def QueryFeeDetails(
        self, request: treatment_pb2.QueryFeeDetailsRequest, context: Ctx
    ) -> treatment_pb2.QueryFeeDetailsResponse:
        received = clock.now()
        env = envelope_of(request, "5204")
        found = await self.units.run(
            self.changes.fee_details,
            env,
            convert.required("mdtrt_id", request.mdtrt_id),
            convert.required("psn_no", request.psn_no),
            request.setl_id,
        )
        return treatment_pb2.QueryFeeDetailsResponse(
            header=self._header(env, received),
            feedetail=[convert.fee_record(u, found.visit, found.setl_id) for u in found.lines],
        )


class InsuredServicer(NodeServicer, insured_pb2_grpc.InsuredServiceServicer):
    """Served to the hub."""

    def __init__(self, role: InsuredRole, db: Database, headers: ResponseHeaders) -> None:
        super().__init__(db, headers)
        self.role = role

    async def _run(
        self, context: Ctx, who: Callable[[UnitOfWork], str], op: Callable[..., T], *args: Any
    ) -> T:
        """``op(uow, *args)`` in a unit of work — or, when the caller asks for a dry run
        (``service_layer/dry_run.py``), evaluated as of the moment it names and rolled back."""
        as_of = next((v for k, v in context.invocation_metadata() or () if k == dry_run.KEY), None)
        if as_of is None:
            return await self.units.run(op, *args)
        since = dry_run.check_as_of(str(as_of))
        try:
            await self.units.run(dry_run.evaluate, who, since, op, *args)
        except dry_run.Evaluated as done:
            context.set_trailing_metadata(
                ((dry_run.KEY, f"rolled back; {done.set_aside} record(s) set aside"),)
            )
            result: T = done.result
            return result
        raise AssertionError("a dry run ends in Evaluated or an error")  # pragma: no cover

    @rpc("1101")
    async def QueryPerson(
        self, request: insured_pb2.PersonQuery, context: Ctx
    ) -> insured_pb2.PersonInfo:
        received = clock.now()
        env = envelope_of(request, "1101", need_fixmedins=False)
        q = convert.person_lookup(request, env)

        def who(uow: UnitOfWork) -> str:
            found = uow.persons.by_certno(q.certno) if q.certno and not q.psn_no else None
            return found.psn_no if found is not None else q.psn_no

        view = await self._run(context, who, self.role.lookup, q)
        info = convert.person_to_proto(view, today())
        info.header.CopyFrom(self._header(env, received))
        return info

    @rpc("2206")
    async def ComputeSplit(
        self, request: insured_pb2.SettleClaim, context: Ctx
    ) -> insured_pb2.SettleResult:
        received = clock.now()
        env = envelope_of(request, "2206", need_fixmedins=False)
        cmd = convert.settle_command(request, env)
        settlement = await self._run(context, _psn(cmd.psn_no), self.role.compute, cmd)
        return insured_pb2.SettleResult(
            header=self._header(env, received), setlinfo=convert.settlement_to_proto(settlement)
        )

    @rpc("2207")
    async def CommitSettlement(
        self, request: insured_pb2.SettleClaim, context: Ctx
    ) -> insured_pb2.SettleResult:
        received = clock.now()
        env = envelope_of(request, "2207", mutating=True, need_fixmedins=False)
        cmd = convert.settle_command(request, env)
        payload = await self._run(
            context, _psn(cmd.psn_no), self.role.commit, cmd, convert.encode_settlement
        )
        return insured_pb2.SettleResult(
            header=self._header(env, received), setlinfo=common_pb2.SetlInfo.FromString(payload)
        )

    @rpc("2208")
    async def RevokeSettlement(
        self, request: insured_pb2.RevokeClaim, context: Ctx
    ) -> insured_pb2.SettleResult:
        received = clock.now()
        env = envelope_of(request, "2208", mutating=True, need_fixmedins=False)
        cmd = convert.revoke_command(request, env)
        payload = await self._run(
            context,
            _psn(cmd.psn_no),
            self.role.revoke,
            cmd,
            convert.decode_settlement,
            convert.encode_settlement,
        )
        return insured_pb2.SettleResult(
            header=self._header(env, received), setlinfo=common_pb2.SetlInfo.FromString(payload)
        )


def _psn(psn_no: str) -> Callable[[UnitOfWork], str]:
    """A dry run's person, known from the request."""
    return lambda uow: psn_no


class AdminServicer(admin_pb2_grpc.AdminServiceServicer):
    """Served to testers: load policy, catalogue and persons into the running node."""

    def __init__(self, role: AdminRole) -> None:
        self.role = role

    @staticmethod
    def _loaded(loaded: Loaded) -> admin_pb2.LoadDocumentResponse:
        return admin_pb2.LoadDocumentResponse(
            loaded=len(loaded.keys), keys=loaded.keys, summary=loaded.summary
        )

    @rpc("admin")
    async def LoadPolicy(
        self, request: admin_pb2.LoadDocumentRequest, context: Ctx
    ) -> admin_pb2.LoadDocumentResponse:
        return self._loaded(await self.role.load_policy(request.yaml, request.source_name))

    @rpc("admin")
    async def LoadCatalogue(
        self, request: admin_pb2.LoadDocumentRequest, context: Ctx
    ) -> admin_pb2.LoadDocumentResponse:
        return self._loaded(await self.role.load_catalogue(request.yaml, request.source_name))

    @rpc("admin")
    async def LoadPersons(
        self, request: admin_pb2.LoadDocumentRequest, context: Ctx
    ) -> admin_pb2.LoadDocumentResponse:
        return self._loaded(await self.role.load_persons(request.yaml, request.source_name))

    @rpc("admin")
    async def ResetData(
        self, request: admin_pb2.ResetDataRequest, context: Ctx
    ) -> admin_pb2.ResetDataResponse:
        dropped = await self.role.reset(request.policy, request.catalogue)
        return admin_pb2.ResetDataResponse(dropped=dropped)

    @rpc("admin")
    async def GetPersonState(
        self, request: admin_pb2.PersonStateRequest, context: Ctx
    ) -> admin_pb2.PersonStateResponse:
        if not request.psn_no:
            raise InvalidField("psn_no", "", "required")
        balc, rows = await self.role.person_state(request.psn_no)
        return admin_pb2.PersonStateResponse(
            psn_no=request.psn_no,
            balc=balc,
            accumulators=[admin_pb2.Accumulator(period=p, kind=k, amount=a) for p, k, a in rows],
        )
