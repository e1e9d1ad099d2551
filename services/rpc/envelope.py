"""The message envelope: validating request headers and making response headers."""

from __future__ import annotations

import itertools
import random
import re
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.values import clock
from services.values.errors import InvalidField

ADMDVS_RE = re.compile(r"^\d{6}$")
FIXMEDINS_RE = re.compile(r"^[A-Z]\d{11}$")
MSGID_RE = re.compile(r"^[A-Za-z0-9]{30}$")
OPTER_TYPES = {"1", "2", "3"}


def check_admdvs(field: str, value: str) -> str:
    if not ADMDVS_RE.match(value):
        raise InvalidField(field, value, "must be a 6-digit administrative division code")
    return value


def check_date(field: str, value: str) -> str:
    """A "yyyy-MM-dd" date, or InvalidField naming the field."""
    try:
        clock.parse_date(value)
    except ValueError:
        raise InvalidField(field, value, "must be a date yyyy-MM-dd") from None
    return value


def check_header(
    header: Any, infno: str, *, need_insuplc: bool = True, need_fixmedins: bool = True
) -> None:
    """Raise InvalidField naming the first bad envelope field (``header.<name>``)."""
    if header is None or not header.msgid and not header.infno:
        raise InvalidField("header", "", "request header (envelope) is missing")
    if header.infno != infno:
        raise InvalidField("header.infno", header.infno, f"this RPC is transaction {infno}")
    msgid = header.msgid
    if not MSGID_RE.match(msgid):
        raise InvalidField(
            "header.msgid",
            msgid,
            "must be 30 letters/digits: fixmedins_code(12) + yyyyMMddHHmmss(14) + sequence(4)",
        )
    try:
        clock.parse_compact_time(msgid[12:26])
    except ValueError:
        raise InvalidField(
            "header.msgid", msgid, "characters 13-26 must be a time yyyyMMddHHmmss"
        ) from None
    if need_fixmedins:
        if not FIXMEDINS_RE.match(header.fixmedins_code):
            raise InvalidField(
                "header.fixmedins_code",
                header.fixmedins_code,
                "must be a 12-character institution code such as H11010500001",
            )
        if msgid[:12] != header.fixmedins_code:
            raise InvalidField("header.msgid", msgid, "must start with header.fixmedins_code")
    check_admdvs("header.mdtrtarea_admvs", header.mdtrtarea_admvs)
    if need_insuplc:
        check_admdvs("header.insuplc_admdvs", header.insuplc_admdvs)
    if header.opter_type not in OPTER_TYPES:
        raise InvalidField(
            "header.opter_type",
            header.opter_type,
            "must be 1 (agent), 2 (self-service terminal) or 3 (mobile)",
        )
    if not header.opter:
        raise InvalidField("header.opter", header.opter, "operator code is required")
    try:
        clock.parse_time(header.inf_time)
    except ValueError:
        raise InvalidField(
            "header.inf_time", header.inf_time, "must be a time yyyy-MM-dd HH:mm:ss"
        ) from None


WORKER_SERIALS = 10**9
"""Serials of inf_refmsgid each process of a node of several gives (``ResponseHeaders``)."""


def worker_of(inf_refmsgid: str) -> int:
    """The process of a node of several that made this inf_refmsgid (0: a node of one)."""
    return int(inf_refmsgid[-10:]) // WORKER_SERIALS if len(inf_refmsgid) == 30 else 0


class ResponseHeaders:
    """Makes response headers: inf_refmsgid = receiver admdvs(6) + time(14) + serial(10)."""

    def __init__(self, admdvs: str, worker: int = 0) -> None:
        """``worker``: this process's number in a node of several (1-9, ``--processes N``): the
        serials it gives start at ``worker`` × 10⁹, so two processes never give the same
        inf_refmsgid, and its first digit names the process that answered."""
        self.admdvs = admdvs
        self._serial = itertools.count(worker * WORKER_SERIALS + 1)
        self._lock = threading.Lock()

    def make(self, header_cls: type[Any], msgid: str, received: datetime) -> Any:
        now = clock.now()
        with self._lock:
            serial = next(self._serial)
        return header_cls(
            inf_refmsgid=f"{self.admdvs}{now:%Y%m%d%H%M%S}{serial % 10**10:010d}",
            refmsg_time=clock.format_time(received),
            respond_time=clock.format_time(now),
            infcode=0,
            msgid=msgid,
        )


class MsgidFactory:
    """Makes msgids for a sender: code(12) + yyyyMMddHHmmss + 4-digit sequence (clients, tests).

    Every factory of one sender code in a process shares one sequence, so they never collide
    with each other. The sequence restarts every second from a random point, so clients of one
    institution in different processes rarely collide; more than the remaining numbers in one
    second waits a second.
    """

    _lock = threading.Lock()
    _sequences: dict[str, list[Any]] = {}
    """Per sender code: [stamp, next number], shared by every factory in the process."""

    def __init__(self, fixmedins_code: str) -> None:
        self.code = fixmedins_code

    def __call__(self) -> str:
        with MsgidFactory._lock:
            seq = MsgidFactory._sequences.setdefault(self.code, ["", 0])
            while True:
                stamp = f"{clock.now():%Y%m%d%H%M%S}"
                if stamp != seq[0]:
                    seq[0], seq[1] = stamp, random.randrange(0, 5000)
                if seq[1] <= 9999:
                    break
                time.sleep(0.05)
            n = seq[1]
            seq[1] = n + 1
            return f"{self.code}{stamp}{n:04d}"


_NODE_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
_node_seq: list[Any] = ["", 0]
"""[stamp, next number] of :func:`node_msgid` in this process."""


def node_msgid(fixmedins_code: str) -> str:
    """A msgid a node makes on an institution's behalf (a 2601 its in-doubt resolver sends):
    the institution's code, the time, then "R" and three lowercase letters or digits where a
    hospital puts its 4-digit sequence — so it never equals a msgid of the hospital's own. The
    three characters count up within a second (from a random start), so none repeats in a
    process."""
    with MsgidFactory._lock:
        stamp = f"{clock.now():%Y%m%d%H%M%S}"
        if stamp != _node_seq[0]:
            _node_seq[0], _node_seq[1] = stamp, random.randrange(0, 36**3 // 2)
        n = _node_seq[1]
        _node_seq[1] = n + 1
    tail = "".join(_NODE_DIGITS[(n // 36**i) % 36] for i in (2, 1, 0))
    return f"{fixmedins_code}{stamp}R{tail}"


@dataclass(frozen=True)
class Envelope:
    """The request envelope as handlers see it (no protobuf types), plus the body's hash."""

    infno: str
    msgid: str
    mdtrtarea_admvs: str
    insuplc_admdvs: str
    fixmedins_code: str
    opter_type: str
    opter: str
    inf_time: str
    digest: str = ""

    @staticmethod
    def of(header: Any, digest: str = "") -> Envelope:
        return Envelope(
            infno=header.infno,
            msgid=header.msgid,
            mdtrtarea_admvs=header.mdtrtarea_admvs,
            insuplc_admdvs=header.insuplc_admdvs,
            fixmedins_code=header.fixmedins_code,
            opter_type=header.opter_type,
            opter=header.opter,
            inf_time=header.inf_time,
            digest=digest,
        )

    def to_header(self, header_cls: type[Any]) -> Any:
        return header_cls(
            infno=self.infno,
            msgid=self.msgid,
            mdtrtarea_admvs=self.mdtrtarea_admvs,
            insuplc_admdvs=self.insuplc_admdvs,
            fixmedins_code=self.fixmedins_code,
            opter_type=self.opter_type,
            opter=self.opter,
            inf_time=self.inf_time,
        )
