"""The adoption telemetry importers, one module per source format, each named after its
``Format`` (``github_copilot_metrics``, ``github_copilot_usage``, ``m365_copilot_usage``,
``adoption_csv``) and exposing ``read(...) -> Telemetry``; below them ``common`` (the result
types, the daily table, the calendar checks) and ``github_json`` (counts and dates out of
GitHub's JSON). Detection and dispatch are :mod:`roi.adoption.telemetry`'s, which says how to
add a format.

May import: ``roi.io``; a format module imports ``common`` and ``github_json``, never
``roi.adoption.telemetry``."""
