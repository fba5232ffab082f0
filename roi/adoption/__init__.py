"""Adoption of the tools: telemetry read from vendors' exports (``telemetry`` detects the format
and dispatches to the importers in ``formats``, one module per source format), the usage
metrics computed from them (``usage``), the adoption forecast (``forecast``) and the adoption
report (``report``).

May import: ``roi.io``, ``roi.core``, ``roi.uncertainty``."""
