"""The pages' side of the store: one :class:`roi.store.Store` per server process, the
picker of saved datasets each page offers beside its upload, and the "Save" button.

A database that cannot be reached never stops the app: the pages say so once and go on
with uploads and the bundled samples.
"""

from __future__ import annotations

import streamlit as st

from dashboard import cache, signin
from dashboard.database import store, unavailable
from dashboard.markup import plain
from roi.access import Forbidden, Right
from roi.io.problems import CaseError
from roi.store import DATABASE_ERRORS, Dataset, prepare
from roi.store.db import database_url, failure_reason

KIND_LABELS = {
    "pilots": "pilot observations",
    "adoption": "adoption export",
    "survey": "survey (aggregates)",
    "use-cases": "use-case register",
    "case": "business case",
    "impact": "measured impact (aggregates)",
}


def min_group() -> int | None:
    """The anonymity threshold in force (the store's setting), read once per run. When
    the store cannot be read: ``None`` with sign-in on (an admin may have raised it, so no
    survey figure is shown), the default with sign-in off (whoever is here is the admin)."""
    run = st.session_state.get("run")
    cached = st.session_state.get("saved.threshold")
    if cached is not None and cached[0] == run:
        return cached[1]
    from roi.culture.anonymity import MIN_GROUP_DEFAULT

    threshold = None if signin.sign_in_on() else MIN_GROUP_DEFAULT
    kept = store()
    if kept is not None:
        try:
            threshold = kept.min_group()
        except DATABASE_ERRORS as error:
            unavailable(error)
    st.session_state["saved.threshold"] = (run, threshold)
    return threshold


ROW_UNITS = {
    "pilots": "observations",
    "adoption": "daily rows",
    "survey": "respondents",
    "use-cases": "use cases",
    "case": "line items",
    "impact": "people",
}


def rows_shown(dataset: Dataset) -> int | None:
    """A dataset's row count as the pages may show it: ``None`` for a survey not shown
    under today's anonymity threshold (:meth:`roi.store.Dataset.shown_at`)."""
    threshold = min_group()
    return dataset.rows if threshold is not None and dataset.shown_at(threshold) else None


def describe(dataset: Dataset) -> str:
    when = dataset.imported_at.strftime("%Y-%m-%d %H:%M")
    rows = rows_shown(dataset)
    count = "count hidden" if rows is None else f"{rows:,} {ROW_UNITS[dataset.kind]}"
    return f"#{dataset.id} {dataset.name} · {count} · {when} UTC · {dataset.imported_by}"


def source(dataset: Dataset) -> tuple[str, int, str]:
    """What the cached readers take for a saved dataset: database URL, id, fingerprint."""
    return database_url(), dataset.id, dataset.fingerprint


SAMPLE = "sample"


def pick(kind: str, key: str, sample_label: str) -> Dataset | None:
    """A choice between the bundled sample and the saved datasets of ``kind`` (newest
    first, and chosen by default); ``None`` for the sample. Shows nothing when none is
    saved."""
    kept = store()
    if kept is None:
        return None
    try:
        datasets = kept.datasets(kind)
    except DATABASE_ERRORS as error:
        unavailable(error)
        return None
    if not datasets:
        return None
    by_id = {d.id: d for d in datasets}
    options = [*by_id, SAMPLE]
    if st.session_state.get(key) not in options:
        st.session_state.pop(key, None)
    chosen = st.selectbox(
        f"Saved {KIND_LABELS[kind]}",
        options,
        format_func=lambda i: sample_label if i == SAMPLE else describe(by_id[i]),
        key=key,
        help="Files saved to the store (see the Data page). An upload replaces this choice.",
    )
    return None if chosen == SAMPLE else by_id[chosen]


def pick_shown(kind: str, key: str, sample_label: str, what: str, threshold: int):
    """:func:`pick` for a kind kept with an anonymity threshold (a survey, a measured
    impact): a dataset made with smaller groups shown than ``threshold`` is not shown, with
    a warning saying why; ``None`` then, as for the sample."""
    kept = pick(kind, key, sample_label)
    if kept is not None and not kept.shown_at(threshold):
        st.warning(
            f"Saved {what} #{kept.id} was made with smaller groups shown than today's"
            f" anonymity threshold of {threshold}, so it is not shown. An editor can save its"
            " files again to make it at today's threshold. Showing the bundled sample.",
            icon=":material/shield_person:",
        )
        return None
    return kept


def save_button(kind: str, raw: bytes, name: str, key: str, **options) -> None:
    """A "Save" button for a validated upload: the file is kept with who saved it, when,
    its SHA-256 and its validation report; the same file is never kept twice. Editors and
    admins only: a viewer is told why there is no button."""

    if not signin.explain(Right.SAVE, "saving to the store"):
        return
    kept = store()
    if kept is None:
        return
    if not st.button(
        f"Save {plain(name)} to the store", key=key, icon=":material/save:",
        help="Keep it so that it is here next time, for everyone using this app.",
    ):  # fmt: skip
        return
    try:
        if kind == "survey":
            options["keep_answers"] = kept.keep_answers()
        result = kept.add(prepare(kind, raw, name, **options), signin.actor())
    except Forbidden as error:
        st.error(f"Not saved: {plain(error)}")
        return
    except CaseError as error:  # validated already; a companion file may still fail
        st.error(f"Not saved: {plain(error.report())}")
        return
    except DATABASE_ERRORS as error:
        st.error(
            f"Not saved: the database failed ({plain(failure_reason(error))}). Nothing was kept."
        )
        return
    dataset = result.dataset
    if result.created:
        st.success(f"Saved as dataset #{dataset.id}. It is listed on the Data page.")
    else:
        st.info(
            f"Already saved as dataset #{dataset.id} (the same file read the same way,"
            f" {dataset.imported_at:%Y-%m-%d %H:%M} UTC by {plain(dataset.imported_by)})."
        )


def case_dataset(case_id: str) -> int:
    """The dataset id of a case shown under ``case_id``; a bundled case is saved first (once:
    the same file is kept once), so that a scenario always names a kept case."""

    dataset_id = cache.dataset_of(case_id)
    if dataset_id is not None:
        return dataset_id
    path = cache.bundled_path(case_id)
    kept = store()
    assert kept is not None
    return kept.add(prepare("case", path.read_bytes(), path.name), signin.actor()).dataset.id


def save_scenario(name: str, case_id: str, levers: dict[str, str], result) -> str | None:
    """Keep a named scenario; returns the problem in words, or ``None`` when saved."""
    from roi.store import NotFound, StoreInputError, figures_of

    kept = store()
    if kept is None:
        return "saved work is unavailable"
    try:
        scenario = kept.save_scenario(
            name, case_dataset(case_id), levers, figures_of(result), signin.actor()
        )
    except Forbidden as error:
        return str(error)
    except StoreInputError as error:
        return "; ".join(str(p) for p in error.problems)
    except NotFound as error:
        return str(error)
    except DATABASE_ERRORS as error:
        return f"the database failed ({failure_reason(error)})"
    st.session_state["explorer.saved"] = scenario.id
    return None


def open_scenario(text: str) -> tuple[str, dict[str, str], str | None] | str:
    """The case id, lever values and (when the link's scenario was replaced) a note, for
    the saved scenario named by a link's ``scenario=``; or why it cannot be opened."""
    from roi.store import NotFound

    kept = store()
    if kept is None:
        return "saved work is unavailable"
    try:
        linked = kept.scenario(int(text))
        scenario = kept.current_scenario(linked.id)
        if scenario is None:
            return f"scenario {linked.name!r} was deleted"
        case = kept.dataset(scenario.case_id)
    except (ValueError, NotFound):
        return f"scenario={text!r} is not a saved scenario"
    except DATABASE_ERRORS as error:
        return f"saved scenarios cannot be read just now ({failure_reason(error)})"
    if not case.live:
        return f"the case of scenario {scenario.name!r} was deleted"
    note = None
    if scenario.id != linked.id:
        note = (
            f"This link's scenario {linked.name!r} was saved again on"
            f" {scenario.created_at:%Y-%m-%d %H:%M} UTC by {scenario.created_by}: showing"
            " that version."
        )
    return cache.case_key(case), scenario.levers, note
