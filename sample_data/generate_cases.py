"""Regenerate the measured inputs of the sample cases: ``make sample-cases``
(``python sample_data/generate_cases.py``; ``--check`` only says whether a file would change).

Two sample cases take inputs from the sample's own pilot, telemetry and survey files,
computed by the ``roi`` engine exactly as the Pilots, Adoption and Culture pages do:

- ``cases/document_classification.yaml`` (UC-03), benefit line 0 (triage time saved):
  ``minutes_saved_per_task`` from the UC-03 ``task_minutes`` pilot in
  ``pilot_observations.csv`` (difference-in-differences, the conservative end of its 95 %
  interval: ``roi.evidence.pilots.use_measurement``), then ``productivity_recapture`` from
  the operations team's answers to the recapture item in ``survey/survey_responses.csv``
  (the conservative end of its 95 % interval: ``roi.culture.recapture.use_recapture``);
- ``cases/lead_scoring.yaml`` (UC-02): benefit line 0 (deals won) ``conversion_lift`` from
  the UC-02 ``converted`` pilot (two-proportion z-test, conservative end), and the adoption
  curve from the sales team's monthly share in ``adoption/adoption.csv`` with the S-curve
  fitted to it (``roi.adoption.forecast.measured_adoption`` and ``with_adoption``).

Each measured line gets ``evidence: measured``, a ``source`` naming the file, the estimate,
its 95 % interval, n and the dates, and the engine's ``note``; each measured input's
``uncertainty`` entry becomes the distribution its estimate supports. Figures are rounded to
four significant digits. The rest of each file (comments, other lines, the order of fields)
is kept as written: only the fields whose value changes are rewritten, so running the
script again changes nothing. The rewritten text is checked: it must read back as exactly
the engine's case.
"""

from __future__ import annotations

import math
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from roi.adoption.forecast import measured_adoption, with_adoption  # noqa: E402
from roi.adoption.report import analyse, team_forecast  # noqa: E402
from roi.adoption.telemetry import read_telemetry  # noqa: E402
from roi.core.casefile import load_case_text, parse_case  # noqa: E402
from roi.culture.instrument import read_items, read_responses  # noqa: E402
from roi.culture.recapture import measured_recapture, use_recapture  # noqa: E402
from roi.culture.report import survey_report  # noqa: E402
from roi.evidence.pilots import estimate_pilots, read_observations, use_measurement  # noqa: E402

CASES = HERE / "cases"
PILOTS = HERE / "pilot_observations.csv"
TELEMETRY = HERE / "adoption" / "adoption.csv"
SURVEY_ITEMS = HERE / "survey" / "survey_items.csv"
SURVEY_RESPONSES = HERE / "survey" / "survey_responses.csv"
WIDTH = 92  # the case files' line length
DIGITS = 4  # significant digits of every figure written

TESTS = {
    "did_ols": "difference-in-differences",
    "welch_t": "Welch's t-test",
    "two_proportion_z": "two-proportion z-test",
}


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def rounded(value: Any) -> Any:
    """``value`` with every float at :data:`DIGITS` significant digits (lists and dicts
    gone through)."""
    if isinstance(value, dict):
        return {key: rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [rounded(item) for item in value]
    if isinstance(value, float) and math.isfinite(value) and value != 0:
        return float(f"{value:.{DIGITS}g}")
    return value


# --- the measurements ---------------------------------------------------------------------


def pilot_evidence() -> tuple[dict[tuple[str, str], Any], str]:
    """The pilot estimates by (use case, metric), and the dates the rows carry."""
    observations = read_observations(PILOTS.read_bytes(), PILOTS.name)
    dates = sorted(d for d in observations["date"].astype(str).unique() if d)
    when = f"rows dated {dates[0]} to {dates[-1]}" if dates else "the rows carry no dates"
    estimates = {(e.use_case_id, e.metric): e for e in estimate_pilots(observations)}
    return estimates, when


def pilot_source(estimate: Any, unit: str, when: str, scale: float = 1.0) -> str:
    """Where a pilot measurement comes from: file, test, effect (pilot − baseline, times
    ``scale`` in ``unit``) with its 95 % interval and p-value, n and dates."""
    h = estimate.headline
    p = "p < 0.001" if h.p_value < 0.001 else f"p = {h.p_value:.2g}"
    return (
        f"{relative(PILOTS)}, {estimate.use_case_id} {estimate.metric}:"
        f" {TESTS.get(h.test, h.test)}, pilot - baseline {scale * h.effect:+.3g} {unit}"
        f" (95% CI {scale * h.ci_low:+.3g} to {scale * h.ci_high:+.3g}, {p}), n ="
        f" {h.n_baseline} baseline / {h.n_pilot} pilot, {when}."
    )


def survey_recapture(team: str) -> tuple[Any, str]:
    instrument = read_items(SURVEY_ITEMS.read_bytes(), SURVEY_ITEMS.name)
    responses = read_responses(SURVEY_RESPONSES.read_bytes(), SURVEY_RESPONSES.name, instrument)
    groups = survey_report(responses, instrument).groups
    recapture = measured_recapture(responses, instrument, groups, team)
    if recapture is None:
        raise SystemExit(f"{relative(SURVEY_RESPONSES)}: no recapture figure for team {team}")
    source = (
        f"{relative(SURVEY_RESPONSES)}, recapture item, team {team}, wave {recapture.wave}"
        f" (the latest): mean {recapture.share:.3g} (95% CI {recapture.ci_low:.3g} to"
        f" {recapture.ci_high:.3g}), n = {recapture.n}."
    )
    return recapture, source


def recapture_distribution(recapture: Any, path: str) -> dict:
    """The uncertainty of a measured recapture share: normal around the survey's mean with
    the standard error its 95 % interval implies (``use_recapture`` sets the value only)."""
    from scipy import stats

    return {
        "input": path,
        "distribution": "normal",
        "mean": recapture.share,
        "sd": (recapture.ci_high - recapture.ci_low) / (2 * float(stats.norm.ppf(0.975))),
    }


def telemetry_forecast(team: str) -> tuple[Any, str]:
    telemetry = read_telemetry(TELEMETRY.read_bytes(), TELEMETRY.name)
    report = analyse(telemetry)
    forecast = team_forecast(report, team)
    if forecast is None or forecast.fit is None:
        raise SystemExit(f"{relative(TELEMETRY)}: no fitted S-curve for team {team}")
    fit = forecast.fit
    days = telemetry.daily.loc[telemetry.daily["team"] == team, "date"]
    source = (
        f"{relative(TELEMETRY)}, team {team}, {day(days.min())} to {day(days.max())}:"
        f" {fit.n} monthly adoption shares and the S-curve fitted to them, ceiling"
        f" {fit.ceiling.estimate:.3g} (95% CI {fit.ceiling.low:.3g} to {fit.ceiling.high:.3g}),"
        f" midpoint {month_label(forecast, fit.midpoint.estimate)}, growth"
        f" {fit.growth.estimate:.3g} a month (95% CI {fit.growth.low:.3g} to"
        f" {fit.growth.high:.3g}); {days.nunique()} days of rows."
    )
    return forecast, source


def day(value: Any) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def month_label(forecast: Any, offset: float) -> str:
    return (pd.Period(forecast.first_month, freq="M") + math.floor(offset)).strftime("%Y-%m")


# --- the cases ----------------------------------------------------------------------------


def with_source(case: Any, line: int, source: str) -> Any:
    data = case.model_dump()
    data["benefits"][line]["source"] = source
    return parse_case(data, source="measured")


def with_rounded(case: Any, line: int | None = None, fields: tuple[str, ...] = ()) -> Any:
    """``case`` with the engine's figures at :data:`DIGITS` digits: the named fields of
    benefit ``line``, the measured adoption curve, the distributions and correlations."""
    data = case.model_dump()
    if line is not None:
        for field in fields:
            data["benefits"][line][field] = rounded(data["benefits"][line][field])
    if data["adoption"] is not None and data["adoption"]["curve"] == "measured":
        data["adoption"] = rounded(data["adoption"])
    data["uncertainty"] = rounded(data["uncertainty"])
    data["correlations"] = rounded(data["correlations"])
    return parse_case(data, source="measured")


def document_classification(case: Any) -> Any:
    """UC-03 triage: minutes from the pilot, recapture from the operations team's survey."""
    estimates, when = pilot_evidence()
    estimate = estimates[("UC-03", "task_minutes")]
    case = use_measurement(case, 0, estimate, basis="lower_bound")
    recapture, survey = survey_recapture("operations")
    # Its note keeps the minutes' note after "Before:", so that the Culture page, applying a
    # recapture again, recognises the one the line holds.
    case = use_recapture(case, 0, recapture, basis="lower_bound")
    data = case.model_dump()
    entry = recapture_distribution(recapture, "benefits[0].productivity_recapture")
    data["uncertainty"] = [u for u in data["uncertainty"] if u["input"] != entry["input"]]
    data["uncertainty"].append(entry)
    case = parse_case(data, source="measured")
    source = (
        f"Minutes saved: {pilot_source(estimate, 'minutes per document', when)} Recapture: {survey}"
    )
    case = with_source(case, 0, source)
    return with_rounded(case, 0, ("minutes_saved_per_task", "productivity_recapture"))


def lead_scoring(case: Any) -> Any:
    """UC-02: the conversion lift from the pilot, adoption from the sales team's telemetry."""
    estimates, when = pilot_evidence()
    estimate = estimates[("UC-02", "converted")]
    case = use_measurement(case, 0, estimate, basis="lower_bound")
    source = pilot_source(estimate, "percentage points of leads won", when, scale=100.0)
    case = with_source(case, 0, source)
    forecast, source = telemetry_forecast("sales")
    case = with_adoption(case, measured_adoption(forecast, case.start, source), forecast)
    return with_rounded(case, 0, ("conversion_lift",))


MEASURED: dict[str, Callable[[Any], Any]] = {
    "document_classification.yaml": document_classification,
    "lead_scoring.yaml": lead_scoring,
}


# --- writing the YAML back, comments kept -------------------------------------------------


def number(value: float | int) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = repr(float(value))
    if "e" in text and "." not in text.split("e")[0]:  # YAML 1.1 reads 1e-05 as text
        mantissa, exponent = text.split("e")
        text = f"{mantissa}.0e{exponent}"
    return text


def scalar(value: Any) -> str:
    if isinstance(value, (bool, int, float)):
        return number(value)
    if isinstance(value, list):
        return "[" + ", ".join(scalar(v) for v in value) + "]"
    text = str(value)
    plain = yaml.safe_dump(text, default_flow_style=True, width=10_000).strip()
    return plain.removesuffix("...").strip()


def field_lines(key: str, value: Any, indent: int, folded: bool = False) -> list[str]:
    """``key: value`` at ``indent`` spaces; text as a folded block (``>-``) when asked or
    when it does not fit on the line."""
    pad = " " * indent
    line = f"{pad}{key}: {scalar(value)}"
    if isinstance(value, str) and (folded or len(line) > WIDTH):
        body = textwrap.wrap(
            value, WIDTH - indent - 2, break_long_words=False, break_on_hyphens=False
        )
        return [f"{pad}{key}: >-", *(f"{pad}  {part}" for part in body)]
    if isinstance(value, list) and len(line) > WIDTH:  # a flow sequence over several lines
        parts = textwrap.wrap(
            line, WIDTH, subsequent_indent=pad + "  ", break_long_words=False,
            break_on_hyphens=False,
        )  # fmt: skip
        return parts
    return [line]


def indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def top_block(lines: list[str], key: str) -> tuple[int, int] | None:
    """Lines [start, end) of top-level ``key``: its line and the indented lines after it
    (not the blank or comment lines that lead to the next key)."""
    start = next((i for i, line in enumerate(lines) if line.startswith(f"{key}:")), None)
    if start is None:
        return None
    end = start + 1
    for i in range(start + 1, len(lines)):
        if lines[i].strip() and indent_of(lines[i]) == 0:
            break
        if lines[i].strip():
            end = i + 1
    return start, end


def list_items(lines: list[str], start: int, end: int) -> list[tuple[int, int]]:
    """Lines [start, end) of each ``  - `` item of a top-level list, without the comment
    lines that lead to the next item."""
    heads = [i for i in range(start, end) if lines[i].startswith("  - ")]
    items = []
    for n, head in enumerate(heads):
        stop = heads[n + 1] if n + 1 < len(heads) else end
        while stop - 1 > head and (
            not lines[stop - 1].strip() or lines[stop - 1].lstrip().startswith("#")
        ):
            stop -= 1
        items.append((head, stop))
    return items


def item_field(lines: list[str], start: int, end: int, key: str) -> tuple[int, int] | None:
    """Lines [i, j) of field ``key`` of the list item at [start, end), continuation lines
    included."""
    for i in range(start, end):
        if indent_of(lines[i]) in (2, 4) and lines[i][4:].startswith(f"{key}:"):
            j = i + 1
            while j < end and (not lines[j].strip() or indent_of(lines[j]) > 4):
                j += 1
            while j - 1 > i and not lines[j - 1].strip():
                j -= 1
            return i, j
    return None


def set_item_fields(lines: list[str], item: tuple[int, int], changes: dict[str, Any]) -> None:
    """Rewrite the changed fields of one list item in place; a new field goes after
    ``evidence`` (``source`` before ``note``), else at the item's end."""
    start, end = item
    for key, value in changes.items():
        folded = key in ("source", "note")
        new = field_lines(key, value, 4, folded)
        found = item_field(lines, start, end, key)
        if found is not None:
            i, j = found
        else:
            after = ("evidence", "source") if key == "note" else ("evidence",)
            spots = [item_field(lines, start, end, k) for k in after]
            spots = [s for s in spots if s is not None]
            i = j = max(s[1] for s in spots) if spots else end
            if key == "source" and (note := item_field(lines, start, end, "note")):
                i = j = min(i, note[0])
        lines[i:j] = new
        end += len(new) - (j - i)


def entry_lines(entry: dict, first: str, comment: str) -> list[str]:
    """A distribution or correlation as a list item of the case's style."""
    out = []
    for n, (key, value) in enumerate(entry.items()):
        line = field_lines(key, value, 4)[0]
        if n == 0:
            line = "  - " + line[4:]
            if comment:
                line = f"{line.ljust(49)}# {comment}"
        out.append(line)
    assert out[0].startswith(f"  - {first}:")
    return out


def self_key(entry: dict) -> str:
    """What names a distribution (its input) or a correlation (its pair)."""
    return entry["input"] if "input" in entry else "|".join(entry["between"])


def entry_key(lines: list[str], item: tuple[int, int]) -> str:
    return self_key(yaml.safe_load("\n".join(lines[item[0] : item[1]]))[0])


def rewrite_list(
    lines: list[str], key: str, old: list, new: list, comment: Callable[[dict], str]
) -> list[str]:
    """Top-level list ``key`` as ``new``: an item equal to the old one of the same input (or
    pair) keeps its lines, comments included; the others are written out."""
    if old == new:
        return lines
    block = top_block(lines, key)
    kept: dict[str, list[str]] = {}
    head: list[str] = [f"{key}:"]
    if block is not None:
        items = list_items(lines, *block)
        olds = {self_key(item): item for item in old}
        for item in items:
            name = entry_key(lines, item)
            lead = item[0]
            while lead - 1 > block[0] and lines[lead - 1].lstrip().startswith("#"):
                lead -= 1
            if name in olds:
                kept[name] = lines[lead : item[1]]
        if items:
            head = lines[block[0] : items[0][0]]
            while len(head) > 1 and head[-1].lstrip().startswith("#"):
                head.pop()
    body: list[str] = []
    for item in new:
        name = self_key(item)
        previous = next((o for o in old if self_key(o) == name), None)
        if name in kept and previous == item:
            body += kept[name]
        else:
            first = "input" if "input" in item else "between"
            body += entry_lines(item, first, comment(item))
    section = [*head, *body] if new else []
    if block is None:
        end = len(lines)
        while end and not lines[end - 1].strip():
            end -= 1
        return [*lines[:end], *section, *lines[end:]]
    return [*lines[: block[0]], *section, *lines[block[1] :]]


def entries(case: Any, kind: str) -> list[dict]:
    """The case's distributions or correlations as written in a case file."""
    return [item.model_dump(exclude_defaults=False) for item in getattr(case, kind)]


def measured_comment(item: dict) -> str:
    return "measured: written by generate_cases.py"


def rewrite(text: str, old: Any, new: Any) -> str:
    """``text`` (the case file ``old`` was read from) with ``new``'s changed values."""
    lines = text.split("\n")
    benefits = top_block(lines, "benefits")
    for n, (before, after) in enumerate(zip(old.benefits, new.benefits, strict=True)):
        was, now = before.model_dump(), after.model_dump()
        changes = {k: v for k, v in now.items() if v != was.get(k) and v is not None}
        if changes:
            set_item_fields(lines, list_items(lines, *benefits)[n], changes)
            benefits = top_block(lines, "benefits")
    if old.adoption != new.adoption:
        block = top_block(lines, "adoption")
        data = new.adoption.model_dump()
        curve = ["adoption:", f"  curve: {data.pop('curve')}"]
        for key, value in data.items():
            curve += field_lines(key, value, 2, folded=key == "source")
        lines[block[0] : block[1]] = curve
    lines = rewrite_list(
        lines, "uncertainty", entries(old, "uncertainty"), entries(new, "uncertainty"),
        measured_comment,
    )  # fmt: skip
    lines = rewrite_list(
        lines, "correlations", entries(old, "correlations"), entries(new, "correlations"),
        lambda item: "",
    )  # fmt: skip
    return "\n".join(lines)


def measured_cases() -> dict[Path, str]:
    """Each measured case file and the text it should hold (checked to read back as the
    engine's case)."""
    out = {}
    for name, measure in MEASURED.items():
        path = CASES / name
        text = path.read_text(encoding="utf-8")
        old = load_case_text(text.encode("utf-8"), name)
        new = measure(old)
        written = rewrite(text, old, new)
        back = load_case_text(written.encode("utf-8"), name)
        if back.model_dump() != new.model_dump():
            raise AssertionError(f"{name}: the rewritten file does not read back as the case")
        out[path] = written
    return out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    check = "--check" in argv
    stale = []
    for path, text in measured_cases().items():
        if path.read_text(encoding="utf-8") == text:
            print(f"{relative(path)}: up to date")
            continue
        stale.append(path)
        if not check:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {relative(path)}")
    if check and stale:
        print("out of date: " + ", ".join(relative(p) for p in stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
