"""Data: what the store keeps, with its provenance (who imported it, when, the file's name,
SHA-256 and validation report); delete (editors) and restore (admins); and the history of
every change, with who made it."""

import pandas as pd
import streamlit as st

from dashboard import database, saved, signin
from dashboard.markup import code, plain
from roi.access import Forbidden, Right
from roi.store import DATABASE_ERRORS, NotFound
from roi.store.db import failure_reason

st.title("Data")
kept = database.store()
if kept is None:
    st.stop()
try:
    version = kept.version()
    show_deleted = st.session_state.get("data.deleted", False)
    datasets = kept.datasets(include_deleted=show_deleted)
    events = kept.events(200)
except DATABASE_ERRORS as error:
    database.unavailable(error)
    st.stop()
st.caption(
    f"Saved work lives in {plain(kept.location)} (schema version {version})."
    " Files are saved from the page that reads them (Pilots, Adoption, Culture, Quick wins,"
    " Case builder) or with `python -m roi db import`. A deleted dataset is kept and can be"
    " restored."
)


def flash(message: str, kind: str = "success") -> None:
    st.session_state["data.flash"] = (kind, message)


def attempt(failed: str, write, done) -> None:
    """Run a write from a button's callback and leave its outcome for the next run:
    ``done(result)`` on success, else why not (``failed`` says what did not happen)."""
    try:
        flash(done(write()))
    except (NotFound, Forbidden) as error:
        flash(plain(error), "error")
    except DATABASE_ERRORS as error:
        flash(f"{failed}: the database failed ({plain(failure_reason(error))}).", "error")


def deleted(dataset) -> str:
    # Keep it in view, chosen, so that Restore is one click away.
    st.session_state["data.deleted"] = True
    st.session_state["data.chosen"] = dataset.id
    return f"Deleted #{dataset.id} {plain(dataset.name)}. Restore brings it back."


def delete(dataset_id: int) -> None:
    attempt("Not deleted", lambda: kept.delete(dataset_id, signin.actor()), deleted)


def restore(dataset_id: int) -> None:
    attempt(
        "Not restored",
        lambda: kept.restore(dataset_id, signin.actor()),
        lambda d: f"Restored #{d.id} {plain(d.name)}.",
    )


if "data.flash" in st.session_state:
    kind, message = st.session_state.pop("data.flash")
    (st.success if kind == "success" else st.error)(message)

st.toggle("Show deleted datasets", key="data.deleted")
if not datasets:
    st.info(
        "Nothing is saved yet: every page shows the bundled sample data. Upload a file on a"
        " page and press its Save button to keep it here."
    )
else:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "ID": d.id,
                    "Kind": saved.KIND_LABELS[d.kind],
                    "Name": d.name,
                    "File": d.source_file,
                    "Rows": saved.rows_shown(d),
                    "Imported (UTC)": d.imported_at.strftime("%Y-%m-%d %H:%M"),
                    "By": d.imported_by,
                    "SHA-256": d.sha256[:12] + "…",
                    "State": "live"
                    if d.live
                    else f"deleted {d.deleted_at:%Y-%m-%d %H:%M} by {d.deleted_by}",
                }
                for d in datasets
            ]
        ),
        hide_index=True,
        width="stretch",
        column_config={"Rows": st.column_config.NumberColumn(format="localized")},
    )
    by_id = {d.id: d for d in datasets}
    chosen = st.selectbox(
        "Dataset", list(by_id), format_func=lambda i: saved.describe(by_id[i]), key="data.chosen"
    )
    dataset = by_id[chosen]
    details, actions = st.columns([3, 1])
    with details:
        rows = saved.rows_shown(dataset)
        count = (
            "its count hidden (scored below today's anonymity threshold)"
            if rows is None
            else f"{rows:,} {saved.ROW_UNITS[dataset.kind]}"
        )
        st.markdown(
            f"**{plain(dataset.name)}** ({saved.KIND_LABELS[dataset.kind]}), from"
            f" {code(dataset.source_file)}, {count}.  \nSHA-256 `{dataset.sha256}`"
            f"  \nImported {dataset.imported_at:%Y-%m-%d %H:%M:%S} UTC by"
            f" {plain(dataset.imported_by)}."
        )
        notes = dataset.report.get("notes", [])
        st.markdown(
            "Validation: every row valid"
            + (f", with {len(notes)} data-quality note(s)." if notes else ".")
        )
        if notes:
            with st.expander("Data-quality notes"):
                st.markdown("\n".join(f"- {plain(note)}" for note in notes))
        if dataset.kind == "survey":
            answers = (
                "kept (never shown or exported)" if dataset.meta.get("answers_kept") else "not kept"
            )
            st.caption(
                f"Kept: aggregates scored with groups of fewer than"
                f" {dataset.meta.get('min_group')} hidden; raw answers {answers}."
            )
    with actions:
        if dataset.live and signin.may(Right.DELETE):
            st.button(
                "Delete", key="data.delete", icon=":material/delete:", on_click=delete,
                args=(dataset.id,), width="stretch",
            )  # fmt: skip
        elif not dataset.live and signin.may(Right.RESTORE):
            st.button(
                "Restore", key="data.restore", icon=":material/restore_from_trash:",
                on_click=restore, args=(dataset.id,), width="stretch",
            )  # fmt: skip
        else:
            right, doing = (
                (Right.DELETE, "deleting a dataset")
                if dataset.live
                else (Right.RESTORE, "restoring a dataset")
            )
            st.caption(":material/lock: " + signin.refusal(right, doing))
        if dataset.kind == "survey" and dataset.meta.get("answers_kept"):
            st.caption("Admins erase raw answers on the Settings page.")

st.subheader("History")
if events:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "When (UTC)": e.at.strftime("%Y-%m-%d %H:%M:%S"),
                    "Who": e.actor,
                    "What": e.action.replace("_", " "),
                    "Detail": e.detail,
                }
                for e in events
                if e.action != "role" or signin.may(Right.MANAGE_ROLES)  # who has which role
            ]
        ),
        hide_index=True,
        width="stretch",
    )
else:
    st.caption("No change yet.")
