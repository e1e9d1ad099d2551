"""The hub's web view in a real browser (Debian's chromium, driven headless by Playwright)
against ``settlenet up`` in real processes: the one-time token, the Network page updating while
visits run (no reload), a settlement's split equal to the 2207 answer and its revocation showing
up, the advance page crossing the yellow level as a small advance is drained. Screenshots of each
page go to $SETTLENET_SCREENSHOTS when set (docs/img/ in the repository)."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest

from scripts import connect, launcher
from scripts.clients.desk import Desk
from scripts.clients.his import His, Line

T = TypeVar("T")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="Debian's chromium is not installed (`apt-get install chromium`; .ci/run does it)",
    ),
]
playwright_sync = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')"
)

ADVANCE_FEN = 20_000
"""Small enough for a few visits to drain it past 70 %."""
WAIT_MS = 15_000


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, Any], str]]:
    data = tmp_path_factory.mktemp("web") / "net"
    up, doc = launcher.start_network(
        data, ["--provinces", "11,13", "--advance-size-fen", str(ADVANCE_FEN)], timeout=90
    )
    try:
        printed = re.search(r"(https://\S+\?token=\S+)", (data / "up.log").read_text())
        assert printed, "settlenet up printed no web view URL"
        assert doc["hub"]["web"] == printed.group(1).split("?")[0]
        yield doc, printed.group(1)
    finally:
        up.stop(timeout=30)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_sync.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-dev-shm-usage"],
        )
        try:
            yield b
        finally:
            b.close()


def _context(browser: Any) -> Any:
    # The network's own CA signed the hub's certificate: the browser does not know it.
    return browser.new_context(ignore_https_errors=True, viewport={"width": 1280, "height": 900})


def _shot(page: Any, name: str) -> None:
    folder = os.environ.get("SETTLENET_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"web-{name}.png"), full_page=True)


def _in_thread(fn: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine on a loop of its own in another thread (Playwright's sync API keeps an
    event loop running in this one)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(fn())).result(timeout=120)


def _visit(doc: dict[str, Any], n: int, amount_fen: int = 2500) -> list[Any]:
    """``n`` visits of Hebei persons in a Beijing hospital; their 2207 answers."""
    bj, hb = doc["provinces"]["11"], doc["provinces"]["13"]
    inst = next(i for i in bj["institutions"] if i["medins_lv"] == "3")
    person = hb["persons"][1]
    code = bj["catalogue"]["class_a"][0]["med_list_codg"]

    async def run() -> list[Any]:
        out = []
        async with connect.hospitals(doc, "11") as ch:
            his = His(ch, inst["fixmedins_code"], inst["admdvs"])
            for _ in range(n):
                psn, insutype = person["psn_no"], person["insutype"]
                mdtrt_id = await his.register("130100", psn, insutype, "2026-10-15 09:00:00")
                await his.upload(
                    "130100", mdtrt_id, psn, [Line(code, "1", amount_fen)], "2026-10-15 09:10:00"
                )
                out.append(await his.settle("130100", mdtrt_id, psn, insutype, amount_fen))
        return out

    return _in_thread(run)


def _revoke(doc: dict[str, Any], setlinfo: Any) -> None:
    bj = doc["provinces"]["11"]
    inst = next(i for i in bj["institutions"] if i["fixmedins_code"] == setlinfo.fixmedins_code)

    async def run() -> None:
        async with connect.hospitals(doc, "11") as ch:
            his = His(ch, inst["fixmedins_code"], inst["admdvs"])
            await his.revoke("130100", setlinfo.setl_id, setlinfo.mdtrt_id, setlinfo.psn_no)

    _in_thread(run)


def _file(doc: dict[str, Any]) -> None:
    """A Hebei person files long-term residence in Beijing through the app."""
    person = doc["provinces"]["13"]["persons"][2]

    async def run() -> None:
        async with connect.hospitals(doc, "13") as ch:
            await Desk(ch, "130100", "app").create(
                person["psn_no"], "retiree_relocated", "110000", "2026-10-01"
            )

    _in_thread(run)


def test_the_web_view_live_in_a_browser(network: tuple[dict[str, Any], str], browser: Any) -> None:
    doc, url = network
    base = url.split("?")[0]

    # The token is required: nothing without it.
    stranger = _context(browser)
    refused = stranger.new_page().goto(base)
    assert refused is not None and refused.status == 401
    assert "token" in stranger.pages[0].content()

    ctx = _context(browser)
    page = ctx.new_page()
    first = page.goto(url)
    assert first is not None and first.status == 200
    assert "token=" not in page.url  # exchanged for the session cookie, then dropped
    page.wait_for_selector("#live.on", timeout=WAIT_MS)
    page.evaluate("window.__notReloaded = true")

    # A token works once: the second use is refused, even in the same browser.
    again = stranger.new_page().goto(url)
    assert again is not None and again.status == 401
    stranger.close()

    # Network: counters and the (treatment 11 → insured 13) pair move while visits run.
    page.wait_for_selector('#nodes tr[data-node="13"] td.SERVING', timeout=WAIT_MS)
    page.wait_for_function("document.querySelector('#c-settled').textContent === '0'")
    answers = _visit(doc, 2)
    page.wait_for_function(
        "Number(document.querySelector('#c-settled').textContent) >= 2", timeout=WAIT_MS
    )
    page.wait_for_function(
        "Number(document.querySelector('#matrix td[data-pair=\"11-13\"]')?.dataset.rate) > 0",
        timeout=WAIT_MS,
    )
    assert page.evaluate("window.__notReloaded") is True
    _shot(page, "network")

    # Settlement: the split shown adds up and equals the 2207 answer.
    s = answers[0].setlinfo
    page.click('nav a[data-page="settlement"]')
    page.fill("#settle-q", s.setl_id)
    page.click("#settle-form button")
    page.wait_for_selector('.split-check[data-adds-up="yes"]', timeout=WAIT_MS)
    shown = {
        f: int(
            page.get_attribute(
                f'.record[data-revocation="no"] tr[data-field="{f}"] td[data-fen]', "data-fen"
            )
            or -1
        )
        for f in ("medfee_sumamt", "fund_pay_sumamt", "acct_pay", "psn_cash_pay")
    }
    assert shown == {f: getattr(s, f) for f in shown}
    assert shown["fund_pay_sumamt"] + shown["acct_pay"] + shown["psn_cash_pay"] == s.medfee_sumamt
    assert page.text_content("#settle-state") and "settled" in page.text_content("#settle-state")
    assert s.psn_no not in page.content()  # masked
    _shot(page, "settlement")

    # Revoke it: the page shows the revocation without a reload.
    _revoke(doc, s)
    page.wait_for_selector('#settle-state[data-state="revoked"]', timeout=WAIT_MS)
    page.wait_for_selector('.record[data-revocation="yes"]', timeout=WAIT_MS)
    assert page.evaluate("window.__notReloaded") is True

    # Advances: draining the small advance crosses the yellow level.
    page.click('nav a[data-page="advances"]')
    row = '#advances tr[data-province="13"]'
    page.wait_for_selector(row, timeout=WAIT_MS)
    assert page.get_attribute(row, "data-level") == "green"
    deadline = time.monotonic() + 60
    while page.get_attribute(row, "data-level") == "green" and time.monotonic() < deadline:
        _visit(doc, 1, 4000)
        page.wait_for_timeout(1500)
    page.wait_for_selector(f'{row}[data-level="yellow"], {row}[data-level="red"]', timeout=WAIT_MS)
    assert page.evaluate("window.__notReloaded") is True
    _shot(page, "advances")

    page.click('nav a[data-page="clearing"]')
    page.wait_for_selector("#clearing-result table", timeout=WAIT_MS)
    page.click("#reconcile")
    page.wait_for_selector("#clearing-result .ok", timeout=WAIT_MS)
    _shot(page, "clearing")

    _file(doc)
    page.click('nav a[data-page="filings"]')
    page.wait_for_selector("#filings tbody tr td.mono", timeout=WAIT_MS)
    _shot(page, "filings")
    ctx.close()


def test_demo_web_narrates_the_story_in_the_view(tmp_path: Path, browser: Any) -> None:
    err = tmp_path / "demo.err"
    with err.open("wb") as stderr:
        demo = subprocess.Popen(
            [*launcher.CLI, "demo", "--web", "--web-pause", "1", "--data", str(tmp_path / "d")],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
        )
    try:
        deadline = time.monotonic() + 60
        while not (found := re.search(r"(https://\S+\?token=\S+)", err.read_text())):
            assert demo.poll() is None and time.monotonic() < deadline, err.read_text()[-2000:]
            time.sleep(0.1)
        ctx = _context(browser)
        page = ctx.new_page()
        page.goto(found.group(1))
        page.wait_for_selector("#narration li", timeout=30_000)
        page.evaluate("window.__notReloaded = true")
        page.wait_for_selector('#narration li[data-step="done"]', timeout=60_000)
        assert page.locator("#narration li").count() >= 9
        assert page.evaluate("window.__notReloaded") is True
        assert _number(page, "#c-settled") >= 4
        _shot(page, "demo")
        ctx.close()
    finally:
        demo.send_signal(signal.SIGTERM)  # the view stays open until then
        assert demo.wait(timeout=30) == 0, err.read_text()[-2000:]


def _number(page: Any, selector: str) -> int:
    return int(page.text_content(selector) or "0")
