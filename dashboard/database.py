"""The dashboard's one handle on the store: the :class:`roi.store.Store` of ``DATABASE_URL``
(else ``data/roi.sqlite3``), opened once per process, and the page's warning when the
database fails. Every other dashboard module that reads or writes saved work asks this one
for the store; of the dashboard it imports only :mod:`dashboard.markup` (escaping)."""

from __future__ import annotations

import time

import streamlit as st

from dashboard.markup import plain
from roi.store import DATABASE_ERRORS, Store
from roi.store.db import database_url, failure_message


@st.cache_resource(show_spinner=False)
def open_store(url: str) -> Store:
    """The store of ``url``, opened once per process (a Streamlit resource)."""
    return Store(url)  # applies pending migrations at start-up


def unavailable(error: BaseException) -> None:
    """Say, once per rerun, that the database failed and the page goes on without it."""
    if st.session_state.get("saved.warned") == st.session_state.get("run"):
        return
    st.session_state["saved.warned"] = st.session_state.get("run")
    st.warning(
        f"Saved work is unavailable: {plain(failure_message(error))}. Uploads and the bundled"
        " samples still work; nothing can be saved just now.",
        icon=":material/cloud_off:",
    )


RETRY_AFTER_S = 30.0


_failed: dict[str, tuple[float, BaseException]] = {}  # URL → when it last failed, and why


def store() -> Store | None:
    """The store of ``DATABASE_URL`` (else ``data/roi.sqlite3``); ``None``, with a warning on
    the page, when it cannot be opened. A failure is remembered for 30 s, so that a database
    that does not answer costs one connection timeout, not one per page element."""
    url = database_url()
    if url in _failed and time.monotonic() - _failed[url][0] < RETRY_AFTER_S:
        unavailable(_failed[url][1])
        return None
    try:
        opened = open_store(url)
    except DATABASE_ERRORS as error:
        _failed[url] = (time.monotonic(), error)
        unavailable(error)
        return None
    _failed.pop(url, None)
    return opened
