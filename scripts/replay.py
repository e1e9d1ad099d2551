"""``settlenet replay``: recorded calls sent again to a province node, every answer that differs
reported — a regression test for a node after a change.

    settlenet journal --target DIR/network.json --jsonl > calls.jsonl
    settlenet replay calls.jsonl --target DIR/network.json --node 13 [--for-real] [--json]

Each line of the file (``settlenet journal --jsonl``) that the hub routed to ``--node`` with its
request kept (1101, 2206, 2207, 2208) is sent to that node's InsuredService again, as the hub
sends it, with a fresh msgid and otherwise the same body; its answer is compared with the
recorded one, field by field, leaving out what is new by nature in every answer (the response
header, the setl_id and setl_time a record gets). A failed call is compared by status code and
reason.

By default each call is a *dry run* (``provincial_nodes/service_layer/dry_run.py``): the node
evaluates it as of the moment it was first made — the person's records made since set aside —
and rolls it back, so the node's state and every other node's stay as they were, and a replay
can run again. A node that does not honour dry runs (someone else's) is replayed only with
``--for-real``: the calls then commit, so the node must start from the state it had when the
recording began. Lines without exact bodies in the file (a dump without ``--exact``) get them
from the target's hub by sequence number.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from google.protobuf.message import Message

from provincial_nodes.service_layer.dry_run import KEY as DRY_RUN
from scripts import connect, recorded, target
from scripts.options import Subparsers
from services.logs.masking import mask_tree
from services.pb.settlenet.v1 import insured_pb2_grpc
from services.rpc.envelope import MsgidFactory
from services.rpc.status import details_of

VOLATILE = frozenset(
    {"header", "setlinfo.setl_id", "setlinfo.setl_time", "setlinfo.medins_setl_id"}
)
"""Answer fields that differ in every call by nature (a fresh msgid and moment, a new record)."""
CONCURRENCY = 8
"""Calls in flight at once (a dry run's answer does not depend on the others')."""


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser(
        "replay",
        help="send recorded calls (settlenet journal --jsonl) to a node again; report diffs",
        description="Replay the calls the hub routed to a province node (a `settlenet journal "
        "--jsonl` file) against that node, fresh msgids and the same bodies, and report every "
        "answer that differs from the recorded one. Dry runs by default: the node evaluates "
        "each as of when it was first made and keeps nothing.",
    )
    p.add_argument("file", type=Path, help="a `settlenet journal --jsonl` file")
    p.add_argument("--target", type=Path, required=True, help="DIR/network.json")
    p.add_argument("--node", required=True, help="two-digit code of the province node")
    p.add_argument("--endpoint", help="the node's HOST:PORT (default the target's, for --node)")
    p.add_argument(
        "--for-real",
        action="store_true",
        help="commit the calls (for a node without dry runs, started from the recording's "
        "starting state)",
    )
    p.add_argument(
        "--ignore",
        action="append",
        default=[],
        help="an answer field (dotted path) to leave out of the comparison (repeat)",
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")


@dataclass
class Call:
    """One recorded call to replay."""

    seq: int
    msgid: str
    infno: str
    outcome: str
    reason: str
    request: Message
    response: Message | None
    as_of: str = "now"


@dataclass
class Report:
    replayed: int = 0
    same: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    differing: list[dict[str, Any]] = field(default_factory=list)
    dry_runs: bool = True

    def skip(self, why: str) -> None:
        self.skipped[why] = self.skipped.get(why, 0) + 1


class ReplayError(Exception):
    """The file or the node cannot be replayed (said in one line)."""


def read_lines(path: Path) -> list[dict[str, Any]]:
    out = []
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ReplayError(f"{path}: {exc.strerror or exc}") from None
    for n, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
            int(line["seq"]), str(line["infno"]), str(line["to_province"])
        except (ValueError, KeyError, TypeError):
            raise ReplayError(
                f"{path}:{n}: not a line of `settlenet journal --jsonl` (seq, infno, "
                "to_province, request...)"
            ) from None
        out.append(line)
    return out


def _person(c: Call) -> str:
    psn = getattr(c.request, "psn_no", "")
    if not psn and c.response is not None and c.response.HasField("baseinfo"):
        psn = c.response.baseinfo.psn_no
    return str(psn)


def place_as_of(calls: list[Call]) -> None:
    """Each call's moment: just before the first record (settlement or revocation) its person
    got at or after it — or now, when the person got none since."""
    following: dict[str, str] = {}
    for c in sorted(calls, key=lambda c: c.seq, reverse=True):
        person = _person(c)
        made = ""
        if c.infno in ("2207", "2208") and c.outcome == "OK" and c.response is not None:
            made = c.response.setlinfo.setl_id
        if made:
            following[person] = made
        c.as_of = following.get(person, "now")


def _flatten(value: Any, prefix: str, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _flatten(v, f"{prefix}.{k}" if prefix else k, out)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _flatten(v, f"{prefix}[{i}]", out)
    else:
        out[prefix] = value


def differences(recorded_: Message, now: Message, ignore: frozenset[str]) -> list[dict[str, Any]]:
    """Fields whose values differ, by dotted path (``ignore``: paths and their subtrees)."""
    a: dict[str, Any] = {}
    b: dict[str, Any] = {}
    _flatten(recorded.as_dict(recorded_), "", a)
    _flatten(recorded.as_dict(now), "", b)

    def kept(path: str) -> bool:
        bare = path.split("[", 1)[0] if "[" in path.split(".", 1)[0] else path
        return not any(bare == i or bare.startswith(i + ".") or path == i for i in ignore)

    out = []
    for path in sorted(set(a) | set(b)):
        if kept(path) and a.get(path) != b.get(path):
            out.append({"field": path, "recorded": a.get(path), "now": b.get(path)})
    return out


async def load_calls(
    doc: dict[str, Any], lines: list[dict[str, Any]], node: str, report: Report
) -> list[Call]:
    """The file's lines routed to ``node`` as calls, with their exact bodies (from the file, or
    asked of the hub)."""
    mine = []
    for line in lines:
        if line["to_province"] != node:
            continue
        if line["infno"] not in recorded.MESSAGES:
            report.skip(f"{line['infno']}: not replayable")
        elif "request" not in line and "request_b64" not in line:
            report.skip("recorded without its body")
        else:
            mine.append(line)
    need = {int(x["seq"]) for x in mine if "request_b64" not in x}
    from_hub = await recorded.exact_bodies(doc, need)
    calls = []
    for line in mine:
        seq = int(line["seq"])
        if "request_b64" in line:
            request_bytes = base64.b64decode(line["request_b64"])
            response_bytes = base64.b64decode(line.get("response_b64", ""))
        else:
            entry = from_hub.get(seq)
            if entry is None or entry.msgid != line["msgid"] or not entry.request:
                report.skip("no longer at the hub (dump with --exact to keep it)")
                continue
            request_bytes, response_bytes = entry.request, entry.response
        req_type, resp_type = recorded.MESSAGES[line["infno"]]
        calls.append(
            Call(
                seq,
                line["msgid"],
                line["infno"],
                line["outcome"],
                line.get("error_reason", ""),
                req_type.FromString(request_bytes),
                resp_type.FromString(response_bytes) if response_bytes else None,
            )
        )
    return calls


_METHOD = {"1101": "QueryPerson", "2206": "ComputeSplit", "2207": "CommitSettlement"}
_METHOD["2208"] = "RevokeSettlement"


async def replay(
    doc: dict[str, Any], calls: list[Call], endpoint: str, args: argparse.Namespace
) -> Report:
    report = Report(dry_runs=not args.for_real)
    ignore = frozenset({*VOLATILE, *args.ignore})
    place_as_of(calls)
    gate = asyncio.Semaphore(1 if args.for_real else CONCURRENCY)
    refused_dry_run: list[int] = []
    async with connect.as_identity(doc, "hub", endpoint) as ch:
        stub = insured_pb2_grpc.InsuredServiceStub(ch)

        async def one(c: Call) -> None:
            request = type(c.request)()
            request.CopyFrom(c.request)
            header = request.header
            header.msgid = MsgidFactory(header.msgid[:12])()
            metadata = () if args.for_real else ((DRY_RUN, c.as_of),)
            message = ""
            async with gate:
                call = getattr(stub, _METHOD[c.infno])(request, timeout=30, metadata=metadata)
                try:
                    answer = await call
                    code, reason = "OK", ""
                except grpc.aio.AioRpcError as exc:
                    answer, code = None, exc.code().name
                    reason, message = details_of(exc)[1], exc.details() or ""
                trailing = await call.trailing_metadata()
            if not args.for_real and not any(k == DRY_RUN for k, _ in trailing or ()):
                refused_dry_run.append(c.seq)
            report.replayed += 1
            diff: list[dict[str, Any]] = []
            if code != c.outcome or (code != "OK" and reason != c.reason):
                diff = [
                    {
                        "field": "status",
                        "recorded": f"{c.outcome} {c.reason}".strip(),
                        "now": f"{code} {reason}".strip(),
                    }
                ]
                if code != "OK":
                    diff[0]["message"] = mask_tree(message)
            elif answer is not None and c.response is not None:
                diff = differences(c.response, answer, ignore)
            if diff:
                report.differing.append(
                    {
                        "seq": c.seq,
                        "msgid": c.msgid,
                        "infno": c.infno,
                        "replayed_as": header.msgid,
                        "as_of": c.as_of,
                        "differences": mask_tree(diff),
                    }
                )
            else:
                report.same += 1

        await asyncio.gather(*(one(c) for c in sorted(calls, key=lambda c: c.seq)))
    if refused_dry_run:
        raise ReplayError(
            f"the node at {endpoint} did not honour dry runs ({len(refused_dry_run)} call(s) "
            "answered without the x-settlenet-dry-run trailer: they may have committed); replay "
            "someone else's node with --for-real, from the recording's starting state"
        )
    report.differing.sort(key=lambda d: int(d["seq"]))
    return report


def render(r: Report) -> str:
    lines = []
    for d in r.differing:
        lines.append(f"seq {d['seq']} {d['infno']} {d['msgid']} (as {d['replayed_as']}):")
        for x in d["differences"]:
            lines.append(f"    {x['field']}: recorded {x['recorded']!r}, now {x['now']!r}")
    skipped = ", ".join(f"{n} {why}" for why, n in sorted(r.skipped.items()))
    mode = "dry runs, nothing kept" if r.dry_runs else "for real"
    lines.append(
        f"{r.replayed} call(s) replayed ({mode}): {r.same} same, {len(r.differing)} differ"
        + (f"; skipped: {skipped}" if skipped else "")
    )
    return "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    report = Report()

    async def run(doc: dict[str, Any]) -> Report:
        lines = read_lines(args.file)
        endpoint = args.endpoint or target.province_endpoint(doc, args.node, args.target)
        calls = await load_calls(doc, lines, args.node, report)
        result = await replay(doc, calls, endpoint, args)
        result.skipped = report.skipped
        return result

    try:
        answer, code = target.run("replay", args.target, run)
    except ReplayError as exc:
        print(f"settlenet replay: {exc}", file=sys.stderr)
        return 2
    if code or answer is None:
        return code
    if args.json:
        out = {
            "replayed": answer.replayed,
            "same": answer.same,
            "differing": answer.differing,
            "skipped": answer.skipped,
            "dry_runs": answer.dry_runs,
        }
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print(render(answer))
    return 1 if answer.differing else 0
