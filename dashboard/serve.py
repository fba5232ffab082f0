"""Start the dashboard as ``streamlit run dashboard/app.py`` would, but import the engine and
its heavy libraries first, so that the first visitor does not wait for them (about a second
on a two-core machine). ``make run`` uses this; any ``streamlit run`` option may follow.

Streamlit collects garbage after every run (``runner.postScriptGC``), and a full collection
walks every object alive: with pandas, plotly and the engine imported, about 65–90 ms of
held interpreter lock per slider move, during which no other session's run goes on. The
objects imported here live as long as the server, so they are frozen (``gc.freeze``) out of
the collector's walk; what a run creates is still collected after it.

    python -m dashboard.serve --server.port 8501
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path

import pandas  # noqa: F401  (imported now rather than at the first visit)
import plotly.graph_objects  # noqa: F401
from streamlit.web import cli

import dashboard.cache
import dashboard.charts.hosting  # noqa: F401
import roi
import roi.reports.figures  # noqa: F401

APP = Path(__file__).resolve().parent / "app.py"


def main(argv: list[str] | None = None) -> int:
    gc.collect()
    gc.freeze()  # the imported modules out of every later collection's walk
    args = ["run", str(APP), *(sys.argv[1:] if argv is None else argv)]
    return cli.main(args=args, prog_name="streamlit", standalone_mode=False) or 0


if __name__ == "__main__":
    sys.exit(main())
