"""Data: what the store keeps, with its provenance (who imported it, when, the file's name,
SHA-256 and validation report); delete and restore; the survey-answer opt-in; and the
history of every change."""

import pandas as pd
import streamlit as st

from dashboard import saved
from roi.store import NotFound

st.title("Data")
kept = saved.store()
if kept is None:
    st.stop()
st.caption(
    f"Saved work lives in {kept.location} (schema version {kept.version()})."
    " Files are saved from the page that reads them (Pilots, Adoption, Culture, Quick wins,"
    " Case builder) or with `python -m roi db import`. A deleted dataset is kept and can be"
    " restored."
)


def flash(message: str, kind: str = "success") -> None:
    st.session_state["data.flash"] = (kind, message)


def delete(dataset_id: int) -> None:
    try:
        dataset = kept.delete(dataset_id, saved.current_user())
        # Keep it in view, chosen, so that Restore is one click away.
        st.session_state["data.deleted"] = True
        st.session_state["data.chosen"] = dataset_id
        flash(f"Deleted #{dataset.id} {dataset.name}. Restore brings it back.")
    except NotFound as error:
        flash(str(error), "error")


def restore(dataset_id: int) -> None:
    try:
        dataset = kept.restore(dataset_id, saved.current_user())
        flash(f"Restored #{dataset.id} {dataset.name}.")
    except NotFound as error:
        flash(str(error), "error")


def erase_answers(dataset_id: int) -> None:
    count = kept.delete_answers(dataset_id, saved.current_user())
    flash(f"Erased {count:,} raw answers of survey #{dataset_id}; its aggregates stay.")


if "data.flash" in st.session_state:
    kind, message = st.session_state.pop("data.flash")
    (st.success if kind == "success" else st.error)(message)

show_deleted = st.toggle("Show deleted datasets", key="data.deleted")
datasets = kept.datasets(include_deleted=show_deleted)
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
                    "Rows": d.rows,
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
        st.markdown(
            f"**{dataset.name}** ({saved.KIND_LABELS[dataset.kind]}), from `{dataset.source_file}`,"
            f" {dataset.rows:,} rows.  \nSHA-256 `{dataset.sha256}`  \nImported"
            f" {dataset.imported_at:%Y-%m-%d %H:%M:%S} UTC by {dataset.imported_by}."
        )
        notes = dataset.report.get("notes", [])
        st.markdown(
            "Validation: every row valid"
            + (f", with {len(notes)} data-quality note(s)." if notes else ".")
        )
        if notes:
            with st.expander("Data-quality notes"):
                st.markdown("\n".join(f"- {note}" for note in notes))
        if dataset.kind == "survey":
            answers = (
                "kept (never shown or exported)" if dataset.meta.get("answers_kept") else "not kept"
            )
            st.caption(
                f"Kept: aggregates scored with groups of fewer than"
                f" {dataset.meta.get('min_group')} hidden; raw answers {answers}."
            )
    with actions:
        if dataset.live:
            st.button(
                "Delete", key="data.delete", icon=":material/delete:", on_click=delete,
                args=(dataset.id,), width="stretch",
            )  # fmt: skip
        else:
            st.button(
                "Restore", key="data.restore", icon=":material/restore_from_trash:",
                on_click=restore, args=(dataset.id,), width="stretch",
            )  # fmt: skip
        if dataset.kind == "survey" and dataset.meta.get("answers_kept"):
            st.button(
                "Erase raw answers", key="data.erase", icon=":material/delete_forever:",
                on_click=erase_answers, args=(dataset.id,), width="stretch",
                help="Removes the survey's individual answers for good; its aggregates stay.",
            )  # fmt: skip

st.subheader("Survey answers")
keep = kept.keep_answers()
wanted = st.toggle(
    "Keep raw survey answers when a survey is saved",
    value=keep,
    key="data.keep_answers",
    help="Off by default. Raw answers are never displayed or exported; they only allow a"
    " survey to be scored again later. Only the aggregates are kept when off.",
)
if wanted != keep:
    kept.set_setting("survey.keep_answers", "on" if wanted else "off", saved.current_user())
    st.rerun()

st.subheader("History")
events = kept.events(200)
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
            ]
        ),
        hide_index=True,
        width="stretch",
    )
else:
    st.caption("No change yet.")
