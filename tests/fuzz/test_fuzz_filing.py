"""Malformed requests to every mutating RPC of FilingService (2501, 2510, 2502, 2503, 2504, and
the FilingChanged notice, which a client can call too) against a real in-process network: none
gets UNKNOWN or INTERNAL, a refused one changes no row of any node's database, and every node
still answers its health check.

Examples per RPC: ``SETTLENET_FUZZ_EXAMPLES`` (default 50; the slow run sets 2000).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scripts.clients.desk import Desk
from services.pb.settlenet.v1 import common_pb2, filing_pb2, filing_pb2_grpc
from services.values import clock
from tests.fuzz.fuzznet import EXAMPLES, LiveNetwork, Target, exercise

REGION = "130100"
DAY = "2026-10-01"
STUB = filing_pb2_grpc.FilingServiceStub
pytestmark = pytest.mark.slow if EXAMPLES > 200 else []


class FilingDesk:
    """Hebei's filing desk on the app, with the filings and qualifications the bases need:
    person 1 files (and the filing is revoked again), person 0's seeded filing is changed,
    person 4's is revoked (and made again), person 2 qualifies (and is revoked again), person
    5's seeded qualification is revoked (and granted again)."""

    def __init__(self, live: LiveNetwork) -> None:
        self.live = live
        self.desk = Desk(live.channels["13"], REGION, "app")
        self.persons = live.net.provinces["13"].data.persons
        self.changing = self._filings(self.persons[0])[0]
        self.revoking = self._filings(self.persons[4])[0]
        self.unqualifying = self._qualifications(self.persons[5])[0]

    def _filings(self, person: Any) -> list[str]:
        found = self.live.run(self.desk.filings(person.psn_no))
        return [f.filing_id for f in found if f.status == "active"]

    def _qualifications(self, person: Any) -> list[str]:
        found = self.live.run(self.desk.qualifications(person.psn_no))
        return [q.qual_id for q in found if q.status == "active"]

    # ---- valid requests ------------------------------------------------------------------

    def create(self) -> filing_pb2.CreateFilingRequest:
        return filing_pb2.CreateFilingRequest(
            header=self.desk.header("2501"),
            psn_no=self.persons[1].psn_no,
            category="retiree_relocated",
            dest_admdvs="110000",
            begndate=DAY,
            evidence="commitment",
            channel="app",
            memo="备案",
        )

    def change(self) -> filing_pb2.ChangeFilingRequest:
        return filing_pb2.ChangeFilingRequest(
            header=self.desk.header("2510"),
            psn_no=self.persons[0].psn_no,
            filing_id=self.changing,
            memo="变更",
        )

    def revoke(self) -> filing_pb2.RevokeFilingRequest:
        return filing_pb2.RevokeFilingRequest(
            header=self.desk.header("2502"),
            psn_no=self.persons[4].psn_no,
            filing_id=self.revoking,
            memo="撤销",
        )

    def qualify(self) -> filing_pb2.QualifyChronicRequest:
        return filing_pb2.QualifyChronicRequest(
            header=self.desk.header("2503"),
            psn_no=self.persons[2].psn_no,
            opsp_dise_code="M03900",
            begndate=DAY,
            hosp_name="河北医科大学第二医院",
        )

    def unqualify(self) -> filing_pb2.RevokeQualificationRequest:
        return filing_pb2.RevokeQualificationRequest(
            header=self.desk.header("2504"),
            psn_no=self.persons[5].psn_no,
            qual_id=self.unqualifying,
        )

    def notice(self) -> filing_pb2.FilingEvent:
        p = self.persons[0]
        return filing_pb2.FilingEvent(
            event_id=self.desk.msgid(),
            infno="2510",
            psn_no=p.psn_no,
            insuplc_admdvs=REGION,
            filing=common_pb2.FilingInfo(
                filing_id=self.changing,
                psn_no=p.psn_no,
                insuplc_admdvs=REGION,
                category="stationed_worker",
                dest_admdvs="110000",
                begndate="2026-01-01",
                status="active",
            ),
            opter="DESK01",
            opter_type="3",
            event_time=clock.format_time(clock.now()),
        )

    # ---- after an accepted call ----------------------------------------------------------

    def created(self, response: Any) -> None:
        self.live.run(self.desk.revoke(self.persons[1].psn_no, response.filing.filing_id))

    def revoked(self, response: Any) -> None:
        p = self.persons[4]
        made = self.live.run(self.desk.create(p.psn_no, "long_term_resident", "110000", DAY))
        self.revoking = made.filing_id

    def qualified(self, response: Any) -> None:
        p = self.persons[2]
        self.live.run(self.desk.revoke_qualification(p.psn_no, response.qualification.qual_id))

    def unqualified(self, response: Any) -> None:
        p = self.persons[5]
        self.unqualifying = self.live.run(self.desk.qualify(p.psn_no, "M01600", DAY)).qual_id


@pytest.fixture(scope="module")
def filing_desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FilingDesk]:
    live = LiveNetwork(Path(tmp_path_factory.mktemp("fuzz-filing")))
    try:
        yield FilingDesk(live)
    finally:
        live.close()


TARGETS = {
    "CreateFiling": lambda d: Target("13", STUB, "CreateFiling", d.create, d.created),
    "ChangeFiling": lambda d: Target("13", STUB, "ChangeFiling", d.change),
    "RevokeFiling": lambda d: Target("13", STUB, "RevokeFiling", d.revoke, d.revoked),
    "QualifyChronic": lambda d: Target("13", STUB, "QualifyChronic", d.qualify, d.qualified),
    "RevokeQualification": lambda d: Target(
        "13", STUB, "RevokeQualification", d.unqualify, d.unqualified
    ),
    "FilingChanged": lambda d: Target("11", STUB, "FilingChanged", d.notice),
}


@pytest.mark.parametrize("rpc", list(TARGETS))
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.function_scoped_fixture,
    ],
)
@given(data=st.data())
def test_malformed_filing_requests_get_no_unknown_and_change_nothing(
    filing_desk: FilingDesk, rpc: str, data: st.DataObject
) -> None:
    exercise(filing_desk.live, TARGETS[rpc](filing_desk), data)
