"""``python -m dashboard.serve`` (what ``make run`` starts) freezes the objects it imported
out of the garbage collector's walk before Streamlit starts: Streamlit collects after every
run, and a full walk over pandas, plotly and the engine held the interpreter lock for about
70–90 ms per slider move (issue 22)."""

from __future__ import annotations

import gc

import pytest

from dashboard import serve


@pytest.fixture
def unfrozen():
    yield
    gc.unfreeze()


def test_serve_freezes_what_it_imported_before_streamlit_runs(monkeypatch, unfrozen):
    seen = {}

    def fake_main(args, prog_name, standalone_mode):
        seen["args"] = args
        seen["frozen"] = gc.get_freeze_count()
        return 0

    gc.unfreeze()
    monkeypatch.setattr(serve.cli, "main", fake_main)
    assert serve.main(["--server.port", "8999"]) == 0
    assert seen["args"][:2] == ["run", str(serve.APP)]
    assert seen["args"][2:] == ["--server.port", "8999"]
    assert seen["frozen"] > 10_000  # pandas, plotly, streamlit and the engine
