"""The ``settlenet`` command as a new user meets it: one table of commands, options before or
after the action, one-line usage errors with exit code 2, the same ``--dest`` everywhere, quiet
ends when the reader goes away (also for the sample clients), runnable sample clients, the
msgids a visit shows."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from scripts import cli, msgid, network, visit
from scripts.options import BROKEN_PIPE, dest_code
from tests.conftest import Net

CLI = [sys.executable, "-m", "scripts.cli"]


def _parse(line: str) -> dict[str, object]:
    args = cli.build_parser().parse_args(line.split())
    return {k: v for k, v in vars(args).items() if k != "shared_required"}


def test_every_command_is_in_the_table_with_its_parser_and_main() -> None:
    assert list(cli.COMMANDS) == [
        "demo",
        "up",
        "visit",
        "hub",
        "filing",
        "msgid",
        "resolve",
        "topup",
        "clear",
        "advance",
        "reconcile",
        "admin",
        "scenario",
        "bench-rules",
        "province",
        "loadtest",
        "bench",
        "call",
        "certs",
        "sign",
        "nodes",
        "network",
        "health",
        "journal",
        "replay",
        "conformance",
        "behave",
    ]
    for name in cli.COMMANDS:
        module = cli.command(name)
        assert callable(module.add_parser) and callable(module.main), name


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            "filing --target X --json list P", "filing list P --target X --json", id="filing"
        ),
        pytest.param(
            "topup --target X request 13 --id T", "topup request 13 --id T --target X", id="topup"
        ),
        pytest.param("advance --target X top-up 13", "advance top-up 13 --target X", id="advance"),
        pytest.param(
            "admin --target X --province 13 person P",
            "admin person P --province 13 --target X",
            id="admin",
        ),
        pytest.param("scenario --json run a.yaml", "scenario run a.yaml --json", id="scenario"),
    ],
)
def test_options_mean_the_same_before_or_after_the_action(before: str, after: str) -> None:
    assert _parse(before) == _parse(after)


def test_an_option_before_the_action_is_not_reset_by_the_actions_default() -> None:
    args = _parse("filing --channel app --json list P --target X")
    assert (args["channel"], args["json"], str(args["target"])) == ("app", True, "X")


@pytest.mark.parametrize(
    ("given", "code"), [("110000", "110000"), ("11", "110000"), (" 44 ", "440000")]
)
def test_dest_takes_a_six_digit_admdvs_or_a_two_digit_province(given: str, code: str) -> None:
    assert dest_code(given) == code
    assert _parse(f"filing --target X registry --dest {given.strip()}")["dest"] == code


def _run(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, timeout=60, check=False, **kwargs
    )


@pytest.mark.parametrize(
    ("args", "says"),
    [
        pytest.param(["visit", "--target", "/nope.json"], "/nope.json: no such file", id="visit"),
        pytest.param(
            ["filing", "list", "P"], "the following arguments are required: --target", id="target"
        ),
        pytest.param(
            [
                "filing",
                "--target",
                "X",
                "create",
                "P",
                "--category",
                "c",
                "--begndate",
                "d",
                "--dest",
                "1",
            ],
            "give a 6-digit admdvs",
            id="dest",
        ),
        pytest.param(["nope"], "invalid choice: 'nope'", id="command"),
        pytest.param(
            ["clear", "--target", "/nope.json", "--month", "2026-10"], "no such file", id="clear"
        ),
        pytest.param(["scenario", "run", "/nope.yaml"], "no such file", id="scenario"),
        pytest.param(
            ["loadtest", "--target", "/nope.json", "--rate", "10", "--duration", "1"],
            "/nope.json: no such file (run `settlenet up --data DIR` and pass DIR/network.json)",
            id="loadtest",
        ),
    ],
)
def test_a_usage_error_is_one_line_and_exit_code_2(args: list[str], says: str) -> None:
    out = _run(*args, env={**os.environ, "COLUMNS": "80"})
    assert out.returncode == 2, out.stderr
    assert says in out.stderr and len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert "Traceback" not in out.stderr


def test_output_piped_to_a_reader_that_goes_away_ends_quietly() -> None:
    proc = subprocess.Popen(
        [*CLI, "--help"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()  # like `| head -1`
    proc.wait(timeout=60)
    assert "Traceback" not in proc.stderr.read()


def test_help_ends_with_the_commands_not_the_modules_docstring() -> None:
    out = _run("--help")
    assert out.returncode == 0, out.stderr
    assert "The ``settlenet`` command" not in out.stdout and "``" not in out.stdout
    epilog = out.stdout[out.stdout.index("settlenet demo") :]
    assert epilog.startswith("settlenet demo [--lang zh|en]") and "settlenet bench" in epilog


def _with_no_reader(code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` with stdout a pipe whose reader has already gone (``| head`` after it left)."""
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run(
            [sys.executable, "-c", code],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write)


@pytest.mark.parametrize("lines", [3, 100_000], ids=["buffered", "past-the-pipe"])
def test_ends_quietly_when_the_reader_is_gone(lines: int) -> None:
    out = _with_no_reader(
        "from scripts.options import ends_quietly\n"
        f"raise SystemExit(ends_quietly(lambda: [print('line', i) for i in range({lines})] and 0))"
    )
    assert out.returncode == BROKEN_PIPE and out.stderr == "", out.stderr


@pytest.mark.parametrize("client", ["his", "desk", "retrying_his"])
def test_each_sample_clients_main_ends_quietly_like_settlenet(client: str) -> None:
    # Run as `python -m`, the client's main goes through the shared ends_quietly (seen here by
    # a stand-in for it); ends_quietly itself is tested above.
    out = _with_no_reader(
        "import runpy, scripts.options as o\n"
        "o.ends_quietly = lambda main: 7 if callable(main) else 0\n"
        f"runpy.run_module('scripts.clients.{client}', run_name='__main__')"
    )
    assert out.returncode == 7, out.stderr


async def test_visit_shows_the_msgids_of_its_2207_and_2208(net: Net, tmp_path: Path) -> None:
    nodes = {code: (node.endpoint, "") for code, node in net.net.provinces.items()}
    doc = network.describe(net.net.hub.endpoint, nodes, tmp_path)
    out = await visit.run(doc, "11", "13")
    ids = {step["infno"]: step.get("msgid") for step in out["steps"]}
    inst = out["institution"]["fixmedins_code"]
    for infno in ("2207", "2208"):
        assert len(ids[infno]) == 30 and ids[infno].startswith(inst), ids
    assert ids["2207"] != ids["2208"] and out["insuplc_admdvs"] == "130100"
    text = visit.render(out, Path("N.json"))
    assert f"msgid {ids['2207']}" in text and f"msgid {ids['2208']}" in text
    assert "settlenet msgid --target N.json MSGID --insured 130100" in text
    # The msgid shown is the one the network knows (what the README's `settlenet msgid` asks).
    status = await msgid.run(doc, ids["2207"], out["insuplc_admdvs"], None, False)
    assert status["status"]["state"] == "done", status


def test_bench_rules_piped_to_head_ends_quietly() -> None:
    out = subprocess.run(
        f"{sys.executable} -m scripts.cli bench-rules --visits 200 | head -1",
        shell=True,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.stdout.strip() and "Traceback" not in out.stderr and "Broken" not in out.stderr


@pytest.mark.parametrize("client", ["his", "desk", "retrying_his"])
def test_each_sample_client_is_runnable(client: str) -> None:
    out = subprocess.run(
        [sys.executable, "-m", f"scripts.clients.{client}", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0 and "--target" in out.stdout, out.stderr


def test_demo_and_help_document_lang_zh(tmp_path: Path) -> None:
    out = _run("demo", "--help")
    assert "zh" in out.stdout and "step explanations" in " ".join(out.stdout.split())
