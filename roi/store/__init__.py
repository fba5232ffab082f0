"""Saved work: datasets with provenance, named scenarios and the history of each case's
figures, kept in SQLite by default or in PostgreSQL for a team (``DATABASE_URL``)."""

from roi.store.core import (
    Dataset,
    Event,
    FigureRecord,
    ImportResult,
    NotFound,
    Scenario,
    Store,
    StoredSurvey,
)
from roi.store.imports import (
    KINDS,
    Figures,
    Prepared,
    StoreInputError,
    figures_of,
    prepare,
    sha256_of,
)

__all__ = [
    "KINDS",
    "Dataset",
    "Event",
    "FigureRecord",
    "Figures",
    "ImportResult",
    "NotFound",
    "Prepared",
    "Scenario",
    "Store",
    "StoreInputError",
    "StoredSurvey",
    "figures_of",
    "prepare",
    "sha256_of",
]
