"""The Pilots page's column mapping: a form with one select box per canonical column, filled
with the upload's own headers (and a fixed value for the use case and the metric, and which
values of a group column mean pilot and baseline), or the same mapping written as YAML. The
form's mapping is shown as YAML too, the form a mapping file is saved in for
``python -m roi pilots --mapping``."""

from __future__ import annotations

import streamlit as st
import yaml

from dashboard.markup import code, plain
from roi.evidence.pilots import CANONICAL, REQUIRED, ColumnMapping, PilotFileError, parse_mapping
from roi.io.structured import load_yaml

NOT_MAPPED = "(not in this export)"
FIXED = ("use_case_id", "metric")  # columns an export often lacks: one value for every row


def mapping_from_form(
    columns: dict[str, str], constants: dict[str, str], group: tuple[str, str, str] | None
) -> dict | None:
    """The mapping file's content for the form's choices (``None`` when nothing is mapped):
    ``columns`` canonical → header, ``constants`` canonical → value, ``group`` (header,
    values meaning pilot, values meaning baseline, each comma-separated)."""
    data: dict = {}
    if columns:
        data["columns"] = dict(columns)
    if constants:
        data["constants"] = dict(constants)
    if group is not None:
        header, pilot, baseline = group
        data["groups"] = {
            "column": header,
            "pilot": [v.strip() for v in pilot.split(",") if v.strip()],
            "baseline": [v.strip() for v in baseline.split(",") if v.strip()],
        }
    return data or None


def _form(headers: list[str]) -> dict | None:
    columns: dict[str, str] = {}
    constants: dict[str, str] = {}
    group = None
    left, right = st.columns(2)
    for index, canonical in enumerate(CANONICAL):
        box = left if index % 2 == 0 else right
        default = headers.index(canonical) + 1 if canonical in headers else 0
        chosen = box.selectbox(
            f"{canonical}{' *' if canonical in REQUIRED else ''}",
            [NOT_MAPPED, *headers], index=default, key=f"pilots.map.{canonical}",
        )  # fmt: skip
        if chosen != NOT_MAPPED and canonical == "group" and chosen != "group":
            pilot = box.text_input(
                f"Values of {plain(chosen)} meaning pilot (comma-separated)",
                key="pilots.map.pilot",
            )
            baseline = box.text_input(
                f"Values of {plain(chosen)} meaning baseline", key="pilots.map.baseline"
            )
            group = (chosen, pilot, baseline)
        elif chosen != NOT_MAPPED and chosen != canonical:
            columns[canonical] = chosen
        if canonical in FIXED and chosen == NOT_MAPPED:
            value = box.text_input(
                f"… or one {canonical} for every row", key=f"pilots.map.{canonical}.fixed"
            )
            if value.strip():
                constants[canonical] = value.strip()
    return mapping_from_form(columns, constants, group)


def mapping_input(headers: list[str]) -> ColumnMapping | None:
    """The expander's mapping, validated (``None`` when nothing is mapped); a mapping that
    cannot be used is said on the page, which then stops."""
    st.caption(
        "Columns found: " + ", ".join(code(c) for c in headers) + ". Choose which of them holds"
        " each canonical column (* required); a column of the same name is taken as it is."
    )
    form, written = st.tabs(["Choose the columns", "Write it as YAML"])
    with form:
        data = _form(headers)
    with written:
        text = st.text_area(
            "Mapping (YAML); when given, it replaces the choices",
            placeholder="columns: {value: First reply (min), unit_id: Ticket ID}\n"
            "constants: {use_case_id: UC-01, metric: task_minutes}\n"
            "groups: {column: AI assisted, pilot: [yes], baseline: [no]}",
            key="pilots.mapping",
        )
    try:
        if text.strip():
            data = load_yaml(text, "mapping", error=PilotFileError)
        if data is None:
            return None
        mapping = parse_mapping(data, "mapping")
    except PilotFileError as error:
        st.error(f"The mapping cannot be used: {plain(error.report())}")
        st.stop()
    saved_form = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    st.caption("The mapping as a file (for `python -m roi pilots --mapping`):")
    st.code(saved_form, language="yaml")
    st.download_button(
        "Download the mapping (YAML)", saved_form, file_name="mapping.yaml",
        mime="application/x-yaml", key="pilots.mapping_download",
    )  # fmt: skip
    return mapping
