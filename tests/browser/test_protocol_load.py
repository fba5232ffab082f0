"""The load benchmark's client (benchmarks/protocol_load.py) speaks Streamlit's protocol to
the running dashboard: it must open the explorer, find its slider, and see a move change the
NPV and ROI of both views, or ``make bench``'s load figure would measure nothing. No timing
is asserted here (timings are ``make bench``'s)."""

from __future__ import annotations

import asyncio
import math
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from protocol_load import many, session

PAGE = ("case=support_draft_replies", "explorer", "Adoption ceiling", ["NPV", "ROI"])


def run(coroutine):
    """``asyncio.run`` in a thread of its own: Playwright's sync API, used by the other
    browser tests of this worker, keeps an event loop running in this one."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_a_move_over_the_protocol_changes_every_headline_figure(app_url):
    timed = run(session(app_url, *PAGE, moves=3, pause=0.0))
    assert len(timed) == 3
    for metric, finished in timed:
        assert 0 < metric <= finished


def test_several_sessions_at_once_all_answer(app_url):
    figures = run(many(app_url, *PAGE, sessions=3, seconds=2.0, pause=0.5))
    assert figures["errors"] == 0
    assert figures["moves"] >= 3
    assert math.isfinite(figures["metric"])


def test_a_slider_that_is_not_there_is_named(app_url):
    with pytest.raises(RuntimeError, match="no slider labelled 'Nothing' on explorer"):
        run(session(app_url, PAGE[0], "explorer", "Nothing", ["NPV"], 1, 0.0))
