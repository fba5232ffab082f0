"""The portfolio of use cases: the use-case register (``register``), quick-win scoring, ranking
and rank robustness (``quickwins``), and the selection within a budget (``budget``).

May import: ``roi.io``, ``roi.core``, ``roi.uncertainty``, ``roi.culture`` (survey readiness)."""
