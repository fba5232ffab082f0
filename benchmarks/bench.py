"""`make bench`: speed figures, each beside a baseline timed in the same run.

Targets:
- issue #2: one 10-year monthly case end to end (schedule and every metric, both views)
  under 5 ms median; 1,000 such cases as a batch under 1 s.
- issue #4: the cost-against-volume curve of 500 volumes, with the crossovers and a 10-year
  monthly horizon, under 20 ms (beside a per-volume Python loop).
- issue #5: a 1,000,000-row pilot file read, validated and estimated in under 10 s with peak
  memory under 1.5 GB (beside pandas' plain read_csv of the same file).
- issue #6: ranking 1,000 use cases with 10,000 robustness draws under 2 s (beside the
  same draws made one at a time through the scoring function, timed on 500 draws and
  scaled).
- issue #7: two years of daily adoption for 200 teams (146,000 rows) read, aggregated and
  fitted (an S-curve per team) in under 3 s, beside pandas' plain read_csv of the file.
- issue #8: 50,000 survey responses (30 items, 4 waves, 60 teams) read, scored, suppressed
  and compared in under 3 s, beside pandas' plain read_csv of the file.
- issue #9: 100,000 Monte Carlo draws × 120 months of a case with 10 uncertain inputs
  under 2 s and at least 50× faster than a loop over the engine (one validated case and one
  evaluation per draw, timed on 300 draws and scaled); 1,000,000 draws (chunked) in a fresh
  process with peak memory under 2 GB.
- issue #23: the live workbook (every amount a formula) of a 10-year case with 20 lines of
  every kind < 2 s, with LibreOffice's recalculation of it printed beside.
- issue #10: a 10-year monthly case with 20 line items exported to xlsx and PDF together
  under 3 s, once the process is warm as every other figure here is timed (imports done,
  kaleido's Chromium started: what the dashboard's server has after its first PDF); the
  cold first export of a fresh process, Chromium's launch included, is printed beside it.
  Baseline: openpyxl writing the same schedule as plain values.
- issue #11: a 1,000,000-row pilot file imported into PostgreSQL (read, validated and kept
  with COPY in one transaction) in under 20 s, with its row rate; beside a naive import that
  inserts one row per statement (timed on 10,000 rows and scaled). PostgreSQL is
  ``ROI_BENCH_POSTGRES_URL``, else a throwaway cluster started for the run (skipped, and
  said so, when Debian's postgresql is not installed).
- issue #3: a slider change re-renders the scenario explorer in under 300 ms (AppTest),
  beside the rerun of a trivial one-slider page; the Overview's first render after the app
  starts under 3 s (Chromium, else AppTest), beside a trivial page's first render.
- issue #21: a year of GitHub's 1-day per-user reports (5,000 users) read and summarised in
  under 10 s, beside json.loads of the same lines.
- issue #22 (benchmarks/browser_bench.py, Chromium): slider → the explorer's NPV and ROI
  changed within 1.5× a trivial page's slider → metric, → every figure settled within 2×;
  the Overview's first render with an empty browser cache within 1.5× the trivial page's;
  15 sessions moving a slider about every second for a minute (over Streamlit's protocol,
  benchmarks/protocol_load.py): no error, median slider → NPV within 3× one session's.

The naive baseline is what a spreadsheet-minded first version would do: a Python loop over
months and line items, numpy-financial's ``npv`` and ``irr`` (polynomial roots), and a
Python loop for payback.
"""

from __future__ import annotations

import math
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import numpy_financial as npf

from roi import evaluate, load_case
from roi.access import Actor, Role
from roi.core.case import BusinessCase
from roi.core.curves import adoption_by_period
from roi.core.drivers.base import DriverContext, yearly_factor

ROOT = Path(__file__).resolve().parents[1]


def ten_year_case() -> BusinessCase:
    """The support sample case stretched to 10 years (121 monthly periods, 6 line items)."""
    base = load_case(ROOT / "sample_data" / "cases" / "support_draft_replies.yaml")
    return base.model_copy(update={"horizon_years": 10})


def naive_evaluate(case: BusinessCase) -> dict[str, float | None]:
    """Loop-per-month baseline giving the same headline figures, both views."""
    timeline = case.timeline
    adoption = adoption_by_period(case.adoption, timeline.horizon_months)
    growth = yearly_factor(timeline.year_of_period, case.annual_volume_growth)
    context = DriverContext(timeline, adoption, growth)
    monthly_rate = (1 + case.discount_rate) ** (1 / 12) - 1
    out: dict[str, float | None] = {}
    for adjusted in (True, False):
        net = [0.0] * timeline.periods
        for sign, items in ((1, case.benefits), (-1, case.costs)):
            for item in items:
                flows = item.monthly_amounts(context)
                factor = 1 - sign * item.risk if adjusted else 1.0
                for m in range(timeline.periods):
                    net[m] += sign * float(flows[m]) * factor
        npv = npf.npv(monthly_rate, net)
        irr = npf.irr(net)
        cumulative, payback = 0.0, None
        for m, value in enumerate(net):
            previous = cumulative
            cumulative += value
            if previous < 0 <= cumulative:
                payback = m - 1 + (-previous / value)
            elif cumulative < 0:
                payback = None
        out[f"npv_{adjusted}"] = npv
        out[f"irr_{adjusted}"] = irr
        out[f"payback_{adjusted}"] = payback
    return out


def median_seconds(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def report(name: str, seconds: float, baseline: float, target: float, unit: str) -> None:
    scale = 1e3 if unit == "ms" else 1.0
    verdict = "meets" if seconds <= target else "MISSES"
    print(
        f"{name:<44} {seconds * scale:9.3f} {unit}   baseline {baseline * scale:9.3f} {unit}"
        f"   {baseline / seconds:6.1f}x faster   target < {target * scale:g} {unit}: {verdict}"
    )


def hosting_curve() -> tuple[float, float]:
    """Median time for one infrastructure line's cost curve (500 volumes), crossovers and
    10-year monthly costs; and a naive per-volume, per-month Python loop doing the same."""
    from roi.core.engine import driver_context
    from roi.core.hosting import cost_curve, crossover

    case = load_case(ROOT / "sample_data" / "cases" / "support_chatbot.yaml")
    case = case.model_copy(update={"horizon_years": 10})
    item = next(i for i in case.costs if i.type == "infrastructure")
    context = driver_context(case)
    volumes = np.linspace(0, 6e7, 500)

    def fast() -> None:
        crossover(item)
        cost_curve(item, volumes)
        item.costs_by_model(context)

    def naive() -> None:
        def costs(n: float) -> tuple[float, float]:
            backend = n * (1 - item.cache_hit_rate)
            s, p = item.serverless, item.provisioned
            serverless = (
                max(0.0, backend - s.free_requests_per_month) * s.price_per_million_requests / 1e6
                + max(0.0, backend * s.seconds_per_request * s.memory_gb
                      - s.free_gb_seconds_per_month) * s.price_per_gb_second
            )  # fmt: skip
            peak = backend / (730 * 3600) * p.peak_to_average
            instances = max(
                p.min_instances,
                math.ceil(peak / (p.capacity_rps_per_instance * p.target_utilization)),
            )
            return serverless, instances * p.hourly_price * 730 * (1 - p.commitment_discount)

        points = [costs(float(v)) for v in volumes]
        # Crossover by scanning the volumes, as a spreadsheet would (not exact).
        next((v for v, (s, p) in zip(volumes, points, strict=True) if p <= s), None)
        growth = context.volume_growth
        [costs(item.requests_per_month * float(growth[m])) for m in range(1, len(growth))]

    for _ in range(5):
        fast()
    return median_seconds(fast, 50), median_seconds(naive, 20)


def pilot_file() -> tuple[float, float, float]:
    """Seconds to read, validate and estimate a 1,000,000-row pilot file, in a fresh process
    whose peak memory (MB, the process's maximum resident size) is returned too; and
    seconds for pandas' plain read_csv of the same file."""
    import io
    import subprocess
    import sys
    import tempfile

    import pandas as pd

    rng = np.random.default_rng(5)
    n = 1_000_000
    frame = pd.DataFrame({
        "use_case_id": np.where(rng.random(n) < 0.5, "UC-01", "UC-03"),
        "metric": "task_minutes",
        "group": np.where(rng.random(n) < 0.5, "baseline", "pilot"),
        "value": rng.lognormal(2.5, 0.4, n).round(2),
    })  # fmt: skip
    raw = frame.to_csv(index=False).encode()
    baseline = median_seconds(lambda: pd.read_csv(io.BytesIO(raw)), 3)
    code = (
        "import sys, time, resource\n"
        "from roi.evidence.pilots import estimate_pilots, read_observations\n"
        "raw = open(sys.argv[1], 'rb').read()\n"
        "start = time.perf_counter()\n"
        "estimate_pilots(read_observations(raw, 'pilot.csv'))\n"
        "print(time.perf_counter() - start)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    with tempfile.NamedTemporaryFile(suffix=".csv") as file:
        file.write(raw)
        file.flush()
        done = subprocess.run(
            [sys.executable, "-c", code, file.name], capture_output=True, text=True, check=True
        )
    seconds, peak_kb = done.stdout.split()
    return float(seconds), baseline, int(peak_kb) / 1024


def uncertain_case():
    """The draft-replies sample over 10 years with 10 uncertain inputs, two correlated."""
    from roi.core.casefile import parse_case

    data = load_case(ROOT / "sample_data" / "cases" / "support_draft_replies.yaml").model_dump()
    data["horizon_years"] = 10
    data["uncertainty"] = [
        {"input": "benefits[0].minutes_saved_per_item", "distribution": "pert",
         "min": 1.0, "mode": 1.8, "max": 2.6},
        {"input": "benefits[0].volume_per_month", "distribution": "lognormal",
         "low": 45000, "high": 80000},
        {"input": "benefits[0].loaded_hourly_cost", "distribution": "triangular",
         "min": 26, "mode": 30, "max": 36},
        {"input": "adoption.ceiling", "distribution": "pert", "min": 0.6, "mode": 0.85,
         "max": 0.95},
        {"input": "adoption.midpoint_month", "distribution": "uniform", "min": 3, "max": 9},
        {"input": "costs[0].amount", "distribution": "lognormal", "low": 70000,
         "high": 150000},
        {"input": "costs[1].price_per_seat_per_month", "distribution": "normal", "mean": 30,
         "sd": 3},
        {"input": "costs[2].serverless.price_per_million_input_tokens",
         "distribution": "lognormal", "low": 1, "high": 5},
        {"input": "costs[4].fte", "distribution": "t", "mean": 0.5, "sd": 0.1, "df": 8},
        {"input": "discount_rate", "distribution": "uniform", "min": 0.08, "max": 0.12},
    ]  # fmt: skip
    data["correlations"] = [
        {"between": ["benefits[0].minutes_saved_per_item", "adoption.ceiling"],
         "rank_correlation": 0.5},
    ]  # fmt: skip
    return parse_case(data)


def monte_carlo() -> tuple[float, float, float, float]:
    """Seconds for 100,000 draws; seconds per draw of the loop over the engine (scaled to
    100,000); seconds and peak MB of 1,000,000 draws in a fresh process."""
    import subprocess
    import sys

    from roi.core.casefile import validated
    from roi.core.distributions import is_integer_input
    from roi.uncertainty.simulation import sample_inputs, simulate

    case = uncertain_case()
    simulate(case, 2_000, 0)  # imports and quantile tables
    fast = median_seconds(lambda: simulate(case, 100_000, 1), 3)
    values = sample_inputs(case, 300, np.random.default_rng(2))

    def loop() -> None:
        for k in range(300):
            chosen = {
                p: int(v[k]) if is_integer_input(case, p) else float(v[k])
                for p, v in values.items()
            }
            evaluate(validated(case, chosen))

    slow = median_seconds(loop, 1) / 300 * 100_000
    code = (
        "import sys, time, resource\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "from bench import uncertain_case\n"
        "from roi.uncertainty.simulation import simulate\n"
        "case = uncertain_case()\n"
        "start = time.perf_counter()\n"
        "simulate(case, 1_000_000, 3)\n"
        "print(time.perf_counter() - start)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(Path(__file__).parent)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    million, peak_kb = done.stdout.split()
    return fast, slow, float(million), int(peak_kb) / 1024


def export_case():
    """A 10-year case with 20 line items (the draft-replies sample plus recurring costs)."""
    from roi.core.casefile import parse_case

    data = load_case(ROOT / "sample_data" / "cases" / "support_draft_replies.yaml").model_dump()
    data["horizon_years"] = 10
    extra = [
        {"name": f"Recurring {k}", "type": "recurring", "monthly_amount": 1000.0 + k}
        for k in range(20 - len(data["benefits"]) - len(data["costs"]))
    ]
    data["costs"] = data["costs"] + extra
    return parse_case(data)


def workbook_case():
    """A 10-year case with 20 lines of every kind: the sample cases' lines, all of them."""
    from roi.core.casefile import parse_case

    data = load_case(ROOT / "sample_data" / "cases" / "support_chatbot.yaml").model_dump()
    data |= {"horizon_years": 10, "benefits": [], "costs": [], "uncertainty": [],
             "correlations": [], "scenarios": []}  # fmt: skip
    for path in sorted((ROOT / "sample_data" / "cases").glob("*.yaml")):
        case = load_case(path).model_dump()
        data["benefits"] += case["benefits"]
        data["costs"] += case["costs"]
    lines = data["benefits"] + data["costs"]
    assert len(lines) >= 20, len(lines)
    data["benefits"] = data["benefits"][:8]
    hosting_first = sorted(data["costs"], key=lambda item: item["type"] != "infrastructure")
    data["costs"] = hosting_first[: 20 - len(data["benefits"])]
    return parse_case(data)


def live_workbook() -> tuple[float, float, float]:
    """Issue 23: seconds to write the live workbook of the 20-line 10-year case (formulas
    throughout), openpyxl writing the same cells as plain values, and LibreOffice headless
    recalculating the workbook (its start included) to CSV."""
    import io
    import shutil
    import subprocess
    import tempfile

    from openpyxl import Workbook

    from roi.reports.workbook import workbook_bytes

    result = evaluate(workbook_case())
    workbook_bytes(result, uncertainty=False)  # imports warm
    start = time.perf_counter()
    data = workbook_bytes(result, uncertainty=False)
    seconds = time.perf_counter() - start
    amounts = result.unadjusted.line_amounts
    start = time.perf_counter()
    book = Workbook()
    for row in amounts.T.tolist():
        book.active.append(row)
    book.save(io.BytesIO())
    plain = time.perf_counter() - start
    soffice = shutil.which("soffice")
    if soffice is None:
        return seconds, plain, float("nan")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "case.xlsx"
        path.write_bytes(data)
        start = time.perf_counter()
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{folder}/profile", "--headless", "--calc",
             "--convert-to", "csv", "--outdir", folder, str(path)],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
        recalculated = time.perf_counter() - start
    return seconds, plain, recalculated


def export_both() -> tuple[float, float, float]:
    """Seconds for xlsx + PDF of the 20-line case in a fresh process (kaleido cold) and
    again in the same process (warm); seconds for openpyxl writing the monthly amounts as
    plain values."""
    import io
    import subprocess
    import sys

    from openpyxl import Workbook

    amounts = evaluate(export_case()).unadjusted.line_amounts

    def plain() -> None:
        book = Workbook()
        sheet = book.active
        for row in amounts.T.tolist():
            sheet.append(row)
        book.save(io.BytesIO())

    code = (
        "import sys, time\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "from bench import export_case\n"
        "from roi import evaluate\n"
        "from roi.reports.onepager import one_pager\n"
        "from roi.reports.workbook import workbook_bytes\n"
        "from roi.reports.pdf import pdf_bytes, warm_up\n"
        "case = export_case()\n"
        "times = []\n"
        "for _ in range(2):\n"
        "    start = time.perf_counter()\n"
        "    warm_up()  # as the export command does: Chromium starts first\n"
        "    result = evaluate(case)\n"
        "    workbook_bytes(result)\n"
        "    pdf_bytes(one_pager(result))\n"
        "    times.append(time.perf_counter() - start)\n"
        "print(*times)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(Path(__file__).parent)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    cold, warm = (float(x) for x in done.stdout.split())
    return cold, warm, median_seconds(plain, 3)


def explorer_rerun() -> tuple[float, float]:
    """Median rerun after a slider change: the explorer, and a trivial one-slider page."""
    from streamlit.testing.v1 import AppTest

    from dashboard.state import lever_key

    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("app_pages/explorer.py").run()
    case_id = at.session_state["explorer.case"]
    slider = lever_key(case_id, "adoption_ceiling")
    values = [round(0.3 + 0.05 * (i % 12), 2) for i in range(25)]  # new values: no cache hit

    def move(value: float) -> None:
        at.slider(key=slider).set_value(value).run()

    move(0.5)
    explorer = statistics.median(_time(lambda v=v: move(v)) for v in values)
    trivial = AppTest.from_string(
        "import streamlit as st\nst.slider('x', 0.0, 1.0, 0.5, key='x')", default_timeout=60
    )
    trivial.run()
    baseline = statistics.median(
        _time(lambda v=v: trivial.slider(key="x").set_value(v).run()) for v in values
    )
    return explorer, baseline


def _time(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def overview_first_render() -> tuple[float, float, float, float, str]:
    """Seconds from opening the app's URL to the first Overview metric, with the server
    already started (as after `make run`): on a first visit (empty browser cache) and on a
    later one (the browser has the app's static files); beside a trivial page's same two."""
    import subprocess
    import sys
    import tempfile

    sys.path.insert(0, str(ROOT / "tests" / "browser"))
    sys.path.insert(0, str(ROOT / "devtools"))
    from appserver import free_port, wait_for_health

    from conftest import CHROMIUM_ARGS, chromium_path

    chromium = chromium_path()
    if chromium is None:
        from streamlit.testing.v1 import AppTest

        app = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
        trivial = AppTest.from_string("import streamlit as st\nst.metric('x', 1)")
        first, trivial_first = _time(app.run), _time(trivial.run)
        return first, first, trivial_first, trivial_first, "AppTest (no Chromium)"
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        trivial_app = Path(folder) / "trivial.py"
        trivial_app.write_text("import streamlit as st\nst.metric('x', 1)\n")
        timings = []
        options = ["--server.address", "127.0.0.1", "--server.headless", "true",
                   "--browser.gatherUsageStats", "false", "--server.port"]  # fmt: skip
        for command in (
            [sys.executable, "-m", "dashboard.serve", *options],  # as `make run` starts it
            [sys.executable, "-m", "streamlit", "run", str(trivial_app), *options],
        ):
            port = free_port()
            server = subprocess.Popen(
                [*command, str(port)], cwd=ROOT, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )  # fmt: skip
            try:
                url = f"http://127.0.0.1:{port}"
                wait_for_health(url, server)
                with sync_playwright() as playwright:
                    browser = playwright.chromium.launch(
                        executable_path=chromium, headless=True, args=CHROMIUM_ARGS
                    )
                    context = browser.new_context()
                    for _visit in range(2):  # first visit, then with the browser's cache warm
                        page = context.new_page()
                        start = time.perf_counter()
                        page.goto(url)
                        page.wait_for_selector('[data-testid="stMetricValue"]', timeout=60_000)
                        timings.append(time.perf_counter() - start)
                        page.close()
                    browser.close()
            finally:
                server.terminate()
                server.wait(timeout=10)
    return (*timings, "Chromium")


def synthetic_register(n: int = 1000):
    """Score inputs of n use cases: 30 % with a business case, half of those with an NPV
    interval; marks 1–5, some change readiness and risk blank; fixed seed."""
    from roi.portfolio.quickwins import ScoreInputs

    rng = np.random.default_rng(6)

    def marks() -> np.ndarray:
        return rng.integers(1, 6, n).astype(float)

    npv = np.where(rng.random(n) < 0.3, rng.normal(5e5, 4e5, n), np.nan)
    low = np.where(np.isfinite(npv) & (rng.random(n) < 0.5), npv * 0.6, np.nan)
    return ScoreInputs(
        ids=tuple(f"UC-{i:04d}" for i in range(n)),
        npv=npv,
        npv_low=low,
        npv_high=np.where(np.isfinite(low), npv * 1.4, np.nan),
        value_score=np.where(np.isfinite(npv), np.nan, marks()),
        technical_complexity=marks(),
        data_readiness=marks(),
        stakeholder_buy_in=marks(),
        strategic_alignment=marks(),
        change_readiness=np.where(rng.random(n) < 0.5, marks(), np.nan),
        time_to_value_months=rng.uniform(1, 24, n),
        risk=np.where(rng.random(n) < 0.8, marks(), np.nan),
    )


def ranking_draws() -> tuple[float, float]:
    """The ranking of 1,000 use cases with 10,000 draws, and the naive per-draw loop."""
    from roi.portfolio.quickwins import (
        FACTORS,
        RankSettings,
        competition_ranks,
        components,
        rank_inputs,
    )

    inputs = synthetic_register()
    settings = RankSettings(draws=10_000)
    fast = median_seconds(lambda: rank_inputs(inputs, settings), 3)
    anchor = float(np.nanmax(inputs.npv))
    weights0 = settings.weights.vector()

    def naive(draws: int) -> None:
        rng = np.random.default_rng(0)
        n = len(inputs)
        for _ in range(draws):
            marks = {"time_to_value_months": inputs.time_to_value_months}
            for name in ("value_score", *FACTORS):
                if name != "time_to_value_months":
                    x = getattr(inputs, name)
                    low, high = np.clip(x - 1, 1, 5), np.clip(x + 1, 1, 5)
                    marks[name] = low + (high - low) * rng.random(n)
            npv = np.where(
                np.isfinite(inputs.npv_low),
                inputs.npv_low + (inputs.npv_high - inputs.npv_low) * rng.random(n),
                inputs.npv,
            )
            weights = weights0 * rng.uniform(0.5, 1.5, len(weights0))
            parts = components(marks, npv, anchor, 6.0)
            competition_ranks(parts @ weights / weights.sum())

    slow = 20 * median_seconds(lambda: naive(500), 1)
    return fast, slow


def register_end_to_end() -> tuple[float, float]:
    """A 1,000-row register CSV (rows of the sample without case files, fixed seed) read,
    validated and ranked with 10,000 draws: what `python -m roi rank` does."""
    import random

    from roi.portfolio.quickwins import rank
    from roi.portfolio.register import read_register

    sample = ROOT / "sample_data" / "use_cases.csv"
    header, *rows = sample.read_text(encoding="utf-8").splitlines()
    rows = [row for row in rows if ",cases/" not in row]
    chooser = random.Random(6)
    lines = [header]
    for i in range(1000):
        cells = chooser.choice(rows).split(",")
        lines.append(",".join([f"UC-{i:04d}", *cells[1:]]))
    raw = ("\n".join(lines) + "\n").encode()
    read_register(raw, "register.csv", sample.parent)  # imports pandera once, untimed
    read = median_seconds(lambda: read_register(raw, "register.csv", sample.parent), 3)
    whole = median_seconds(lambda: rank(read_register(raw, "register.csv", sample.parent)), 3)
    return whole, read


def adoption_file() -> tuple[float, float]:
    """Read + aggregate + forecast 200 teams × 730 days of adoption (fixed seed)."""
    import io

    import pandas as pd

    from roi.adoption.report import analyse
    from roi.adoption.telemetry import read_telemetry

    rng = np.random.default_rng(7)
    dates = pd.date_range("2024-11-01", periods=730, freq="D")
    months = ((dates - dates[0]).days / 30.4).to_numpy()
    parts = []
    for i in range(200):
        ceiling, mid, growth = rng.uniform(0.4, 0.95), rng.uniform(3, 18), rng.uniform(0.2, 0.8)
        eligible = int(rng.integers(20, 400))
        active = rng.binomial(eligible, ceiling / (1 + np.exp(-growth * (months - mid))))
        parts.append(
            pd.DataFrame(
                {"date": dates.strftime("%Y-%m-%d"), "team": f"team-{i:03d}",
                 "eligible_users": eligible, "active_users": active}
            )
        )  # fmt: skip
    raw = pd.concat(parts).to_csv(index=False).encode()
    analyse(read_telemetry(raw[:5000].rsplit(b"\n", 1)[0] + b"\n", "warm.csv"))  # imports
    whole = median_seconds(lambda: analyse(read_telemetry(raw, "adoption.csv")), 3)
    plain = median_seconds(lambda: pd.read_csv(io.BytesIO(raw)), 3)
    return whole, plain


def copilot_user_record(rng, day: str, user: int) -> dict:
    """One user's day in GitHub's per-user usage metrics report (the fields of the
    documentation's user-level example; the counts drawn from ``rng``)."""
    generated, interactions = int(rng.integers(0, 60)), int(rng.integers(0, 30))
    accepted = int(rng.integers(0, generated + 1))
    lines = {
        "loc_suggested_to_add_sum": generated * 3,
        "loc_suggested_to_delete_sum": 0,
        "loc_added_sum": accepted * 2,
        "loc_deleted_sum": accepted,
    }
    completion = {
        "code_generation_activity_count": generated,
        "code_acceptance_activity_count": accepted,
    }
    return {
        "report_start_day": day, "report_end_day": day, "day": day,
        "organization_id": "100000001", "enterprise_id": "200001",
        "user_id": 1000 + user, "user_login": f"user{user}",
        "user_initiated_interaction_count": interactions,
        "code_generation_activity_count": generated + interactions,
        "code_acceptance_activity_count": accepted,
        **lines,
        "totals_by_ide": [{"ide": "vscode", "user_initiated_interaction_count": interactions,
                           **completion, **lines}],
        "totals_by_feature": [
            {"feature": "code_completion", "user_initiated_interaction_count": 0,
             **completion, **lines},
            {"feature": "chat_panel_ask_mode", "user_initiated_interaction_count": interactions,
             "code_generation_activity_count": interactions, "code_acceptance_activity_count": 0,
             "loc_suggested_to_add_sum": 0, "loc_suggested_to_delete_sum": 0,
             "loc_added_sum": 0, "loc_deleted_sum": 0},
        ],
        "totals_by_language_feature": [{"language": "python", "feature": "code_completion",
                                        **completion, **lines}],
        "totals_by_language_model": [], "totals_by_model_feature": [],
        "used_agent": False, "used_chat": interactions > 0, "used_cli": False,
        "ai_credits_used": round(float(rng.random()) * 10, 2),
    }  # fmt: skip


def copilot_user_reports(users: int = 5000, days: int = 365, share: float = 0.4):
    """A year of GitHub's 1-day per-user reports (NDJSON files, one per day): each of
    ``users`` active on a day with probability ``share`` (fixed seed)."""
    import datetime as dt
    import json

    rng = np.random.default_rng(7)
    start = dt.date(2025, 12, 1)
    files = []
    for offset in range(days):
        day = (start + dt.timedelta(days=offset)).isoformat()
        active = np.flatnonzero(rng.random(users) < share)
        lines = [json.dumps(copilot_user_record(rng, day, int(u)), separators=(",", ":"))
                 for u in active]  # fmt: skip
        files.append((("\n".join(lines) + "\n").encode(), f"users-1-day-{day}.ndjson"))
    return files


def copilot_year() -> tuple[float, float, int, float]:
    """Seconds to read (detect, parse, validate, join) and summarise a year of 1-day per-user
    reports for 5,000 users, against parsing the same lines with json.loads alone; the
    user-days and megabytes read."""
    import json

    from roi.adoption.report import analyse
    from roi.adoption.telemetry import read_telemetry_files

    files = copilot_user_reports()
    analyse(read_telemetry_files(files[:2]))  # imports, untimed
    start = time.perf_counter()
    report = analyse(read_telemetry_files(files))
    whole = time.perf_counter() - start
    start = time.perf_counter()
    for raw, _ in files:
        for line in raw.split(b"\n"):
            if line:
                json.loads(line)
    plain = time.perf_counter() - start
    rows = len(report.telemetry.user_days)
    return whole, plain, rows, sum(len(raw) for raw, _ in files) / 1e6


def survey_file() -> tuple[float, float]:
    """Read + score + suppress + compare 50,000 responses × 30 items × 4 waves (fixed seed)."""
    import io

    import pandas as pd

    from roi.culture.instrument import read_items, read_responses
    from roi.culture.report import survey_report

    rng = np.random.default_rng(8)
    dimensions = [f"d{i}" for i in range(8)]
    items = ["item,dimension,text,scale,reverse"]
    for j in range(30):
        dimension = dimensions[j % 8] if j < 28 else ("advocacy" if j == 28 else "recapture")
        scale = "0-10" if j >= 28 else "1-5"
        items.append(f"q{j},{dimension},text,{scale},{'yes' if j % 7 == 3 else ''}")
    instrument = read_items(("\n".join(items) + "\n").encode(), "items.csv")
    n = 50_000
    teams = np.array([f"team-{i:02d}" for i in range(60)])
    weights = np.r_[np.full(55, 1.0), np.full(5, 0.2)]
    frame = pd.DataFrame(
        {
            "respondent_id": [f"p{i % 12_500}" for i in range(n)],
            "wave": np.repeat(["w1", "w2", "w3", "w4"], n // 4),
            "team": rng.choice(teams, n, p=weights / weights.sum()),
        }
    )
    for j in range(30):
        low, high = (0, 10) if j >= 28 else (1, 5)
        values = rng.integers(low, high + 1, n).astype(float)
        values[rng.random(n) < 0.03] = np.nan
        frame[f"q{j}"] = values
    raw = frame.to_csv(index=False, float_format="%.0f").encode()
    survey_report(
        read_responses(raw[:20_000].rsplit(b"\n", 1)[0], "warm.csv", instrument), instrument
    )
    whole = median_seconds(
        lambda: survey_report(read_responses(raw, "survey.csv", instrument), instrument), 3
    )
    plain = median_seconds(lambda: pd.read_csv(io.BytesIO(raw)), 3)
    return whole, plain


def impact_files(people: int = 10_000, weeks: int = 52) -> tuple[bytes, bytes, bytes]:
    """The measured-impact sample's generator (devtools/impact_sample.py) at scale: usage
    and outcomes of ``people`` × ``weeks`` with a third metric (reviews done, the merged pull
    requests plus noise), and the metrics file."""
    import sys

    import pandas as pd

    sys.path.insert(0, str(ROOT / "devtools"))
    from impact_sample import sample

    usage, outcomes, metrics = sample(people=people, weeks=weeks, seed=3)
    third = outcomes[outcomes["metric"] == "prs_merged"].assign(metric="reviews_done")
    third["value"] = third["value"] + np.random.default_rng(1).integers(0, 3, len(third))
    outcomes = pd.concat([outcomes, third], ignore_index=True)
    metrics = pd.concat([metrics, pd.DataFrame([("reviews_done", "reviews", "higher")],
                                               columns=metrics.columns)])  # fmt: skip
    return tuple(frame.to_csv(index=False).encode() for frame in (usage, outcomes, metrics))


def impact_scale() -> tuple[float, float, float, int, float]:
    """Seconds to read, tier and estimate 10,000 people × 52 weeks × 3 metrics (the CLI's
    path, in a fresh process whose peak memory in MB is returned too), against pandas'
    plain read_csv of the two files and a group-by of the means by tier (the floor any
    reading pays); the rows of the outcomes file."""
    import io
    import subprocess
    import sys
    import tempfile

    import pandas as pd

    usage, outcomes, metrics = impact_files()

    def plain() -> None:
        used = pd.read_csv(io.BytesIO(usage))
        measured = pd.read_csv(io.BytesIO(outcomes))
        used["heavy"] = used["active_days"] >= 2
        joined = measured.merge(used, on=["person_id", "period"])
        joined.groupby(["metric", "period", "heavy"])["value"].mean()

    baseline = median_seconds(plain, 3)
    code = (
        "import sys, time, resource\n"
        "from roi.impact.files import read_metrics, read_outcomes, read_usage\n"
        "from roi.impact.panel import join\n"
        "from roi.impact.report import impact_report\n"
        "raw = [open(name, 'rb').read() for name in sys.argv[1:]]\n"
        "# pyfixest's lazy imports, paid once by a running app: a small panel, untimed\n"
        "head = [b''.join(r.splitlines(keepends=True)[:4001]) for r in raw[:2]]\n"
        "impact_report(join(read_usage(head[0], 'u'), read_outcomes(head[1], 'o')), {})\n"
        "start = time.perf_counter()\n"
        "panel = join(read_usage(raw[0], 'usage.csv'), read_outcomes(raw[1], 'outcomes.csv'))\n"
        "impact_report(panel, read_metrics(raw[2], 'metrics.csv'))\n"
        "print(time.perf_counter() - start)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    with tempfile.TemporaryDirectory() as folder:
        names = []
        for name, raw in zip(("usage", "outcomes", "metrics"), (usage, outcomes, metrics),
                             strict=True):  # fmt: skip
            path = Path(folder) / f"{name}.csv"
            path.write_bytes(raw)
            names.append(str(path))
        done = subprocess.run([sys.executable, "-c", code, *names], capture_output=True,
                              text=True, check=True)  # fmt: skip
    seconds, peak_kb = done.stdout.split()
    rows = outcomes.count(b"\n") - 1
    return float(seconds), baseline, int(peak_kb) / 1024, rows, len(outcomes) / 1e6


def store_import() -> tuple[float, float] | None:
    """Seconds to import a 1,000,000-row pilot file into PostgreSQL (read, validate, COPY,
    commit), and the naive one-INSERT-per-row import of the same rows, timed on 10,000 rows
    and scaled; ``None`` without PostgreSQL."""
    import os
    import sys
    import tempfile

    import pandas as pd
    from sqlalchemy import insert

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "devtools"))
    import pgcluster

    from roi.store import Store, prepare
    from roi.store import schema as store_schema

    url = os.environ.get("ROI_BENCH_POSTGRES_URL", "").strip()
    folder = None
    if not url:
        if pgcluster.bin_dir() is None:
            return None
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        folder = tempfile.mkdtemp(prefix="roi-bench-pg-")
        url = pgcluster.start(folder, port)
    try:
        rng = np.random.default_rng(11)
        n = 1_000_000
        frame = pd.DataFrame({
            "use_case_id": np.where(rng.random(n) < 0.5, "UC-01", "UC-03"),
            "metric": "task_minutes",
            "group": np.where(rng.random(n) < 0.5, "baseline", "pilot"),
            # A new file on every run, so that a kept server does not find it already stored.
            "unit_id": [f"u{i}-{time.time_ns()}" if i == 0 else f"u{i}" for i in range(n)],
            "value": rng.lognormal(2.5, 0.4, n).round(2),
        })  # fmt: skip
        raw = frame.to_csv(index=False).encode()
        store = Store(url)
        start = time.perf_counter()
        result = store.add(prepare("pilots", raw, "pilot.csv"), Actor("bench", Role.ADMIN))
        seconds = time.perf_counter() - start
        assert result.created and result.dataset.rows == n
        rows = prepare("pilots", raw[: raw.index(b"\n", 400_000)], "head.csv").observations
        rows = rows.iloc[:10_000]
        with store.engine.begin() as conn:
            start = time.perf_counter()
            for row in rows.to_dict("records"):
                conn.execute(insert(store_schema.pilot_observations).values(dataset_id=0, **row))
            naive = (time.perf_counter() - start) * n / len(rows)
            conn.rollback()
        store.close()
        return seconds, naive
    finally:
        if folder is not None:
            pgcluster.stop(folder)


def main() -> None:
    case = ten_year_case()
    engine = evaluate(case).risk_adjusted.metrics
    naive = naive_evaluate(case)
    assert abs(engine.npv - naive["npv_True"]) < 1e-6 * abs(engine.npv), "baseline disagrees"
    for _ in range(20):  # warm caches and imports
        evaluate(case)
        naive_evaluate(case)
    single = median_seconds(lambda: evaluate(case), 300)
    single_naive = median_seconds(lambda: naive_evaluate(case), 50)
    report("one 10-year monthly case, both views", single, single_naive, 0.005, "ms")
    cases = [
        case.model_copy(update={"discount_rate": 0.05 + 1e-4 * i, "annual_volume_growth": 1e-4 * i})
        for i in range(1000)
    ]
    batch = median_seconds(lambda: [evaluate(c) for c in cases], 5)
    # The baseline takes ~30 s for 1,000 cases: time 100 of them and scale by 10.
    batch_naive = 10 * median_seconds(lambda: [naive_evaluate(c) for c in cases[:100]], 1)
    report("1,000 10-year cases as a batch", batch, batch_naive, 1.0, "s")
    curve, curve_naive = hosting_curve()
    report("hosting curve (500 volumes) + 10-year costs", curve, curve_naive, 0.020, "ms")
    seconds, plain, peak = pilot_file()
    print(
        f"{'1,000,000-row pilot file, read + estimated':<44} {seconds:9.2f} s "
        f"   read_csv alone {plain:7.2f} s ({seconds / plain:4.1f}x)   peak {peak:,.0f} MB"
        f"   target < 10 s and < 1,500 MB: {'meets' if seconds < 10 and peak < 1500 else 'MISSES'}"
    )
    fast, slow = ranking_draws()
    report("ranking 1,000 use cases, 10,000 draws", fast, slow, 2.0, "s")
    whole, read = register_end_to_end()
    print(
        f"{'1,000-row register read + ranked (CLI path)':<44} {whole:9.3f} s "
        f"   of which reading {read:6.3f} s   target < 2 s: {'meets' if whole < 2 else 'MISSES'}"
    )
    whole, plain = adoption_file()
    print(
        f"{'146,000 adoption rows read + fitted (200 teams)':<44} {whole:9.2f} s "
        f"   read_csv alone {plain:7.2f} s   target < 3 s: {'meets' if whole < 3 else 'MISSES'}"
    )
    whole, plain, rows, megabytes = copilot_year()
    print(
        f"{'a year of Copilot 1-day user reports (5,000)':<44} {whole:9.2f} s "
        f"   {rows:,} user-days, {megabytes:,.0f} MB; json.loads alone {plain:7.2f} s"
        f" ({whole / plain:4.1f}x)   target < 10 s: {'meets' if whole < 10 else 'MISSES'}"
    )
    whole, plain = survey_file()
    print(
        f"{'50,000 survey responses scored (30 items)':<44} {whole:9.2f} s "
        f"   read_csv alone {plain:7.2f} s   target < 3 s: {'meets' if whole < 3 else 'MISSES'}"
    )
    seconds, plain, peak, rows, megabytes = impact_scale()
    print(
        f"{'impact: 10,000 people x 52 weeks x 3 metrics':<44} {seconds:9.2f} s "
        f"   {rows:,} outcome rows, {megabytes:,.0f} MB; read_csv + merge + group-by alone"
        f" {plain:5.2f} s ({seconds / plain:4.1f}x)   peak {peak:,.0f} MB"
        f"   target < 10 s: {'meets' if seconds < 10 else 'MISSES'}"
    )
    imported = store_import()
    if imported is None:
        print(f"{'1,000,000-row pilot import into PostgreSQL':<44}   skipped: no PostgreSQL")
    else:
        seconds, naive = imported
        print(
            f"{'1,000,000-row pilot import into PostgreSQL':<44} {seconds:9.2f} s "
            f"   {1_000_000 / seconds:,.0f} rows/s   one INSERT per row {naive:7.1f} s"
            f" ({naive / seconds:4.0f}x)   target < 20 s: {'meets' if seconds < 20 else 'MISSES'}"
        )
    seconds, plain_cells, recalculated = live_workbook()
    print(
        f"{'live workbook, 10-year case, 20 lines':<44} {seconds:9.2f} s "
        f"   plain values only {plain_cells:5.2f} s ({seconds / plain_cells:4.0f}x)"
        f"   LibreOffice recalculation {recalculated:5.2f} s (its start included)"
        f"   target < 2 s: {'meets' if seconds < 2 else 'MISSES'}"
    )
    cold, warm, plain = export_both()
    print(
        f"{'xlsx + PDF export, 10-year case, 20 lines':<44} {warm:9.2f} s "
        f"   cold first export {cold:5.2f} s   plain values only {plain:5.2f} s"
        f" ({warm / plain:4.0f}x)   target < 3 s (warm): {'meets' if warm < 3 else 'MISSES'}"
    )
    fast, slow, million, peak = monte_carlo()
    print(
        f"{'Monte Carlo 100,000 draws x 120 months':<44} {fast:9.2f} s "
        f"   per-draw engine loop {slow:7.1f} s ({slow / fast:5.0f}x)"
        f"   target < 2 s and 50x: {'meets' if fast < 2 and slow / fast >= 50 else 'MISSES'}"
    )
    print(
        f"{'Monte Carlo 1,000,000 draws (chunked)':<44} {million:9.2f} s "
        f"   peak {peak:,.0f} MB   target < 2,048 MB: {'meets' if peak < 2048 else 'MISSES'}"
    )
    explorer, trivial = explorer_rerun()
    print(
        f"{'explorer rerun after a slider change':<44} {explorer * 1e3:9.1f} ms"
        f"   trivial one-slider page {trivial * 1e3:7.1f} ms"
        f"   target < 300 ms: {'meets' if explorer < 0.3 else 'MISSES'}"
    )
    cold, warm, trivial_cold, trivial_warm, how = overview_first_render()
    for label, seconds, trivial_seconds in (
        ("first visit", cold, trivial_cold),
        ("browser cache warm", warm, trivial_warm),
    ):
        print(
            f"{'Overview render, ' + label + ' (' + how + ')':<44} {seconds:9.2f} s "
            f"   trivial page {trivial_seconds:7.2f} s"
            f"   target < 3 s: {'meets' if seconds < 3.0 else 'MISSES'}"
        )
    explorer_browser()


def explorer_browser(sessions: int = 15, seconds: float = 60.0) -> None:
    """Issue 22: the explorer's slider in Chromium beside a trivial page, the Overview's
    first render, and ``sessions`` sessions at once (see benchmarks/browser_bench.py)."""
    sys.path.insert(0, str(ROOT / "tests" / "browser"))
    sys.path.insert(0, str(ROOT / "devtools"))
    from browser_bench import explorer_in_a_browser, print_figures

    from conftest import chromium_path

    chromium = chromium_path()
    if chromium is None:
        print(f"{'explorer in a browser (issue 22)':<44}   skipped: no Chromium")
        return
    print_figures(explorer_in_a_browser(chromium, sessions, seconds), sessions)


if __name__ == "__main__":
    main()
