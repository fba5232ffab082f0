"""Browser figures of the Scenario explorer (issue 22), each beside a trivial Streamlit page
measured in the same run: slider → headline metrics changed, slider → every figure settled,
the Overview's first render with an empty browser cache, and slider → metric with 15
sessions at once. Chromium headless (Debian's ``chromium``), servers on 127.0.0.1 only.

The 15 sessions speak Streamlit's protocol (protocol_load.py), each moving the slider about
once a second at its own moments for a minute, and their slider → NPV is set beside one
session's over the same protocol. The same 15 moving in one instant (the worst case) and 15
Chromium pages (which, on one small machine, measure the pages as much as the server) are
printed beside them.

A move is timed from the key press on a focused slider thumb to the moment the page shows
every awaited metric with a new value (``metric``), and then to the moment Streamlit says the
run is over (the app's ``data-test-script-state`` is ``notRunning``) and two frames have been
painted (``settled``)."""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRIVIAL = (
    "import streamlit as st\n"
    "value = st.slider('Value', 0, 100, 50)\n"
    "st.metric('Result', f'{value * 3:,}')\n"
)
SERVER_OPTIONS = [
    "--server.address", "127.0.0.1", "--server.headless", "true",
    "--browser.gatherUsageStats", "false", "--server.port",
]  # fmt: skip
# The texts of the metrics a move must change, as one JSON string.
METRICS_JS = """(labels) => JSON.stringify(
  [...document.querySelectorAll('[data-testid="stMetric"]')]
    .filter(m => labels.some(l => m.querySelector('[data-testid="stMetricLabel"]')
                                  ?.innerText.trim() === l))
    .map(m => m.querySelector('[data-testid="stMetricValue"]')?.innerText))"""
CHANGED_JS = f"""([labels, old]) => {{ const now = ({METRICS_JS})(labels);
  const a = JSON.parse(now), b = JSON.parse(old);
  return a.length === b.length && a.length > 0 && a.every((v, i) => v !== b[i]); }}"""
IDLE_JS = """() => new Promise(done => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (app.getAttribute('data-test-script-state') !== 'notRunning') { done(false); return; }
  requestAnimationFrame(() => requestAnimationFrame(() => done(true))); })"""


@contextlib.contextmanager
def served(command: list[str]) -> Iterator[str]:
    """``command`` (a Streamlit server, the port last) on a free port; its URL."""
    sys.path.insert(0, str(ROOT / "devtools"))
    from appserver import free_port, wait_for_health

    port = free_port()
    server = subprocess.Popen(
        [*command, str(port)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for_health(url, server)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def dashboard_command() -> list[str]:
    return [sys.executable, "-m", "dashboard.serve", *SERVER_OPTIONS]  # as `make run` starts it


def trivial_command(folder: Path) -> list[str]:
    path = folder / "trivial.py"
    path.write_text(TRIVIAL)
    return [sys.executable, "-m", "streamlit", "run", str(path), *SERVER_OPTIONS]


async def _moves(
    page, slider: str, metrics: list[str], moves: int, pause: float, until: float | None
) -> list:
    """(metric, settled) seconds of ``moves`` moves of ``slider``, right then left (or as
    many as fit before ``until``, a ``time.perf_counter`` value)."""
    box = page.locator('[data-testid="stSlider"]').filter(has_text=slider)
    thumb = box.get_by_role("slider")
    await thumb.focus()
    timings = []
    for move in range(moves):
        if until is not None and time.perf_counter() > until:
            break
        await page.wait_for_function(IDLE_JS, polling=50, timeout=120_000)
        old = await page.evaluate(METRICS_JS, metrics)
        start = time.perf_counter()
        await thumb.press("ArrowRight" if move % 2 == 0 else "ArrowLeft")
        await page.wait_for_function(CHANGED_JS, arg=[metrics, old], polling="raf",
                                     timeout=120_000)  # fmt: skip
        changed = time.perf_counter() - start
        await page.wait_for_function(IDLE_JS, polling="raf", timeout=120_000)
        timings.append((changed, time.perf_counter() - start))
        await asyncio.sleep(pause)
    return timings


async def _session(browser, url: str, slider: str, metrics: list[str], moves: int,
                   pause: float, span: float | None = None) -> list:  # fmt: skip
    """Open ``url`` in a new context and time ``moves`` moves (or as many as fit in ``span``
    seconds from the moment the page has shown its first metric)."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    await page.goto(url)
    await page.locator('[data-testid="stMetricValue"]').first.wait_for(timeout=120_000)
    until = None if span is None else time.perf_counter() + span
    try:
        return await _moves(page, slider, metrics, moves, pause, until)
    finally:
        await context.close()


async def _first_render(browser, url: str) -> float:
    """Seconds from opening ``url`` in a new context (empty cache) to its first metric."""
    context = await browser.new_context()
    page = await context.new_page()
    start = time.perf_counter()
    await page.goto(url)
    await page.locator('[data-testid="stMetricValue"]').first.wait_for(timeout=120_000)
    seconds = time.perf_counter() - start
    await context.close()
    return seconds


ROUNDS = 3  # of each page's first render and ten moves, taken in turn


def median(values) -> float:
    return statistics.median(values)


async def _protocol(url: str, sessions: int, seconds: float, out: dict[str, float]) -> None:
    """One session and ``sessions`` at once, through Streamlit's protocol (see
    protocol_load.py): the load target's figures."""
    from protocol_load import many, session

    page = (url, "case=support_draft_replies", "explorer", "Adoption ceiling", ["NPV", "ROI"])
    timed = await session(*page, 20, 0.3)
    out["protocol_metric"] = median(t[0] for t in timed)
    out["protocol_finished"] = median(t[1] for t in timed)
    if not sessions:
        return
    for name, staggered, span in (("load", True, seconds), ("burst", False, seconds / 3)):
        figures = await many(*page, sessions, span, staggered=staggered)
        for key, value in figures.items():
            out[f"{name}_{key}"] = value


async def _browser_load(browser, explorer: str, sessions: int, seconds: float) -> dict:
    """``sessions`` Chromium pages on this machine moving the slider about every second."""
    every = await asyncio.gather(
        *(_session(browser, explorer, "Adoption ceiling", ["NPV"], 10_000, 1.0, seconds)
          for _ in range(sessions)),
        return_exceptions=True,
    )  # fmt: skip
    times = [t[0] for result in every if not isinstance(result, BaseException)
             for t in result]  # fmt: skip
    return {
        "pages_errors": float(sum(isinstance(e, BaseException) for e in every)),
        "pages_metric": median(times) if times else float("nan"),
    }


async def _measure(
    chromium: str, sessions: int, seconds: float, browser_sessions: int
) -> dict[str, float]:
    from playwright.async_api import async_playwright

    sys.path.insert(0, str(ROOT / "tests" / "browser"))
    from conftest import CHROMIUM_ARGS

    out: dict[str, float] = {}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS
        )
        with (
            tempfile.TemporaryDirectory() as folder,
            served(trivial_command(Path(folder))) as trivial,
            served(dashboard_command()) as url,
        ):
            explorer = f"{url}/explorer?case=support_draft_replies"
            await _first_render(browser, trivial)  # the browser itself warm
            await _first_render(browser, url)  # the server's first run (caches) untimed
            await _session(browser, explorer, "Adoption ceiling", ["NPV"], 2, 0.2)  # warm
            # Rounds in turn, so that a change in the machine's load falls on both pages.
            firsts: dict[str, list[float]] = {"trivial": [], "overview": []}
            moves: dict[str, list[tuple[float, float]]] = {"trivial": [], "explorer": []}
            for _ in range(ROUNDS):
                firsts["trivial"].append(await _first_render(browser, trivial))
                firsts["overview"].append(await _first_render(browser, url))
                moves["trivial"] += await _session(browser, trivial, "Value", ["Result"], 10, 0.2)
                moves["explorer"] += await _session(
                    browser, explorer, "Adoption ceiling", ["NPV", "ROI"], 10, 0.2
                )
            for name in ("trivial", "overview"):
                out[f"{name}_first"] = median(firsts[name])
            for name in ("trivial", "explorer"):
                out[f"{name}_metric"] = median(t[0] for t in moves[name])
                out[f"{name}_settled"] = median(t[1] for t in moves[name])
            await _protocol(url, sessions, seconds, out)
            if browser_sessions:
                out.update(await _browser_load(browser, explorer, browser_sessions, 30.0))
        await browser.close()
    return out


def explorer_in_a_browser(
    chromium: str, sessions: int = 15, seconds: float = 60.0, browser_sessions: int = 15
) -> dict[str, float]:
    """The figures of the module's docstring (seconds), and the error counts."""
    return asyncio.run(_measure(chromium, sessions, seconds, browser_sessions))


def print_figures(figures: dict[str, float], sessions: int) -> None:
    def line(name: str, seconds: float, base: float, base_name: str, target: float) -> None:
        ratio = seconds / base
        verdict = "meets" if ratio <= target else "MISSES"
        print(
            f"{name:<44} {seconds * 1000:7.0f} ms   {base_name} {base * 1000:5.0f} ms"
            f" ({ratio:4.2f}x)   target <= {target:g}x: {verdict}"
        )

    f = figures
    line("explorer: slider -> NPV and ROI changed", f["explorer_metric"], f["trivial_metric"],
         "trivial page", 1.5)  # fmt: skip
    line("explorer: slider -> every figure settled", f["explorer_settled"], f["trivial_settled"],
         "trivial page", 2.0)  # fmt: skip
    line("overview: first render, empty cache", f["overview_first"], f["trivial_first"],
         "trivial page", 1.5)  # fmt: skip
    print(
        f"{'explorer over the protocol: slider -> NPV':<44} {f['protocol_metric'] * 1000:7.1f} ms"
        f"   -> run finished {f['protocol_finished'] * 1000:5.0f} ms (one session)"
    )
    if "load_metric" not in f:
        return
    line(f"explorer: {sessions} sessions, slider -> NPV", f["load_metric"], f["protocol_metric"],
         "one session", 3.0)  # fmt: skip
    print(
        f"{'':<44} p95 {f['load_p95'] * 1000:6.0f} ms, {f['load_moves']:.0f} moves,"
        f" {f['load_errors']:.0f} error(s), {f['load_seconds']:.0f} s"
    )
    print(
        f"{f'  all {sessions} moving in the same instant':<44} {f['burst_metric'] * 1000:7.0f} ms"
        f"   p95 {f['burst_p95'] * 1000:5.0f} ms, {f['burst_errors']:.0f} error(s) (worst case)"
    )
    if "pages_metric" in f:
        print(
            f"{f'  {sessions} Chromium pages on this machine':<44}"
            f" {f['pages_metric'] * 1000:7.0f} ms   one page {f['explorer_metric'] * 1000:5.0f} ms"
            f", {f['pages_errors']:.0f} error(s) (the pages share the server's cores)"
        )
