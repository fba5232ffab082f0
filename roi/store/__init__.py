"""Saved work: datasets with provenance, named scenarios and the history of each case's
figures, kept in SQLite by default or in PostgreSQL for a team (``DATABASE_URL``).

``except DATABASE_ERRORS`` catches any failure of the database itself (unreachable, refused
write, unusable URL), as opposed to a file's problems, which raise the readers' own
errors."""

from roi.store.core import (
    BelowThreshold,
    Dataset,
    Event,
    ImportResult,
    NotFound,
    Store,
    StoredSurvey,
)
from roi.store.db import DATABASE_ERRORS, DatabaseFailure
from roi.store.imports import (
    KINDS,
    Figures,
    Prepared,
    StoreInputError,
    figures_of,
    prepare,
    sha256_of,
)
from roi.store.records import FigureRecord, RoleAssignment, Scenario

__all__ = [
    "DATABASE_ERRORS",
    "KINDS",
    "BelowThreshold",
    "DatabaseFailure",
    "Dataset",
    "Event",
    "FigureRecord",
    "Figures",
    "ImportResult",
    "NotFound",
    "Prepared",
    "RoleAssignment",
    "Scenario",
    "Store",
    "StoreInputError",
    "StoredSurvey",
    "figures_of",
    "prepare",
    "sha256_of",
]
