"""Session state, initialised in one place. Keys are prefixed by page: ``explorer.``,
``builder.``."""

from __future__ import annotations

import streamlit as st

DEFAULTS: dict[str, object] = {
    "explorer.case": None,  # id of the case shown; None until the page first runs
    "explorer.link_read": False,  # the link's scenario has been applied once
    "explorer.ignored": (),  # parts of the link that were ignored, shown once
    "builder.source": None,  # what the builder's draft was loaded from
    "builder.settings": None,  # the draft's case settings (dict)
    "builder.tables": None,  # the draft's line items, one table per driver
    "builder.version": 0,  # bumped on every new draft, to reset the editors
}


def init_state() -> None:
    for key, value in DEFAULTS.items():
        st.session_state.setdefault(key, value)
    # Counts the session's reruns, so that a message can be shown once per rerun.
    st.session_state["run"] = st.session_state.get("run", 0) + 1


def lever_key(case_id: str, lever: str) -> str:
    """Widget key of a lever slider: one set of sliders per case, so switching cases
    keeps each case's scenario."""
    return f"explorer.{case_id}.{lever}"
