"""The PDF one-pager of a case, drawn from :class:`roi.reports.onepager.OnePager`: fpdf2 for the
page, the dashboard's cash-flow chart rendered to PNG by kaleido (Debian's chromium), and
DejaVu Sans embedded so that every currency symbol prints. A4 or US Letter, one page."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from roi.core.units import format_value
from roi.io.formatting import format_irr, format_money, format_months, format_percent
from roi.reports.figures import cash_flow_figure
from roi.reports.onepager import RULE, OnePager

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
COLOURS = {"fund": (0, 158, 115), "pilot longer": (230, 159, 0), "stop": (213, 94, 0)}
_server_started = False


def warm_up() -> None:
    """Start kaleido's Chromium now, in the background: its first launch takes seconds,
    which the work done before the chart is needed then hides."""
    global _server_started
    if not _server_started:
        import kaleido

        browser = find_browser()
        if browser is None:  # kaleido's server would wait for it forever
            raise RuntimeError(
                "the PDF's chart is drawn by Chromium, which is not installed (Debian:"
                " chromium; or set BROWSER_PATH)"
            )
        kaleido.start_sync_server(silence_warnings=True)
        _server_started = True


def find_browser() -> str | None:
    """The Chromium kaleido will use: ``BROWSER_PATH`` when set, else the first of the
    usual names on the path; ``None`` when there is none."""
    import os
    import shutil

    named = os.environ.get("BROWSER_PATH")
    if named:
        return named if Path(named).exists() else None
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def chart_png(one: OnePager, width_px: int = 1000, height_px: int = 430) -> bytes:
    """The risk-adjusted cash-flow chart as PNG (kaleido; its server kept for later calls)."""
    import warnings

    figure = cash_flow_figure(one.result)
    # Room on the left for the tick labels and, beside them, the axis title (the screen's
    # tight margin would print the title over the ticks and clip them at the page edge).
    figure.update_layout(
        width=width_px, height=height_px, margin={"t": 50, "b": 45, "l": 20, "r": 20},
        font={"size": 13},
    )  # fmt: skip
    figure.update_yaxes(automargin=True, title_standoff=12)
    figure.update_xaxes(automargin=True)
    try:
        warm_up()
        with warnings.catch_warnings():  # plotly notes that the server ignores its options
            warnings.simplefilter("ignore", UserWarning)
            return figure.to_image(format="png", width=width_px, height=height_px, scale=2)
    except Exception as error:  # kaleido's errors vary: say what the chart needs
        raise RuntimeError(
            f"the PDF's chart could not be rendered ({error}); it needs Chromium (Debian: chromium)"
        ) from error


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """``text`` cut with an ellipsis to fit ``width`` in the current font."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _fonts(pdf: FPDF) -> str:
    regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
    if not regular.exists() or not bold.exists():
        raise RuntimeError(
            f"the PDF needs the DejaVu Sans fonts in {FONT_DIR} (Debian: fonts-dejavu-core)"
        )
    pdf.add_font("DejaVu", "", str(regular))
    pdf.add_font("DejaVu", "B", str(bold))
    return "DejaVu"


@dataclass(frozen=True)
class _Page:
    """The page being drawn, its font family and the width between its margins (mm)."""

    pdf: FPDF
    family: str
    width: float


def pdf_bytes(one: OnePager, paper: str = "A4", chart: bytes | None = None) -> bytes:
    """The one-pager as PDF bytes on ``paper`` (``A4`` or ``Letter``)."""
    if paper not in ("A4", "Letter"):
        raise ValueError(f"paper must be A4 or Letter, got {paper!r}")
    page = _new_page(paper)
    _title(page, one)
    _decision(page, one)
    _warnings(page, one)
    _figure_boxes(page, headline_figures(one))
    _chart(page, chart if chart is not None else chart_png(one))
    _drivers(page, one)
    _evidence_table(page, one)
    _conventions(page, one)
    return bytes(page.pdf.output())


def _new_page(paper: str) -> _Page:
    """One portrait page with 14 mm side margins, DejaVu Sans loaded, no automatic breaks."""
    pdf = FPDF(orientation="portrait", unit="mm", format=paper)
    pdf.set_auto_page_break(False)
    pdf.set_margins(14, 12, 14)
    pdf.add_page()
    family = _fonts(pdf)
    return _Page(pdf=pdf, family=family, width=pdf.w - 28)


def _title(page: _Page, one: OnePager) -> None:
    """The case's name (smaller, then cut, when long) and the line that dates the page."""
    pdf, family, width = page.pdf, page.family, page.width
    case = one.result.case
    pdf.set_font(family, "B", 17)
    title = case.name
    if pdf.get_string_width(title) > width:  # long names: smaller, then cut
        pdf.set_font(family, "B", 13)
    pdf.cell(width, 8, _fit(pdf, title, width), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 8.5)
    pdf.set_text_color(90, 90, 90)
    pdf.cell(
        width, 5,
        f"Business case one-pager · {one.date} · roi {one.version} · {case.currency},"
        f" {case.horizon_years} years from {case.start}",
        new_x="LMARGIN", new_y="NEXT",
    )  # fmt: skip
    pdf.set_text_color(0, 0, 0)
    pdf.ln(2)


def _decision(page: _Page, one: OnePager) -> None:
    """The decision in a band of its colour, its reason, and the rule under it."""
    pdf, family, width = page.pdf, page.family, page.width
    top = pdf.get_y()
    pdf.set_fill_color(*COLOURS[one.decision])
    pdf.rect(14, top, width, 17, style="F")
    pdf.set_xy(18, top + 2)
    pdf.set_text_color(255, 255, 255)
    pdf.set_font(family, "B", 15)
    pdf.cell(60, 7, f"Decision: {one.decision.upper()}")
    pdf.set_font(family, "", 9.5)
    pdf.set_xy(18, top + 9.5)
    pdf.cell(width - 8, 5, one.reason[0].upper() + one.reason[1:] + ".")
    pdf.set_text_color(0, 0, 0)
    pdf.set_xy(14, top + 18.5)
    pdf.set_font(family, "", 7.5)
    pdf.set_text_color(80, 80, 80)
    pdf.multi_cell(width, 3.6, "Rule: " + RULE, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(2)


def _warnings(page: _Page, one: OnePager) -> None:
    """The line items' warnings (at most three, the rest counted), in dark red under the
    decision: a reader must not miss that a figure rests on weak evidence."""
    if not one.warnings:
        return
    pdf, family, width = page.pdf, page.family, page.width
    pdf.set_text_color(150, 20, 20)
    pdf.set_font(family, "B", 8)
    for warning in one.warnings[:3]:
        pdf.multi_cell(width, 3.8, "Warning: " + warning + ".", new_x="LMARGIN", new_y="NEXT")
    if len(one.warnings) > 3:
        pdf.set_font(family, "", 7.5)
        pdf.cell(width, 3.8, f"and {len(one.warnings) - 3} more warnings (see the workbook)",
                 new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    pdf.set_text_color(0, 0, 0)
    pdf.ln(1.5)


def headline_figures(one: OnePager) -> list[tuple[str, str, str]]:
    """(label, value, note) of the four headline boxes, risk-adjusted; with a simulation
    the NPV's note is its P10–P90 range and P(NPV > 0)."""
    money = one.result.case.currency
    adjusted, plain = one.result.risk_adjusted.metrics, one.result.unadjusted.metrics
    boxes = [
        ("Risk-adjusted NPV", format_money(adjusted.npv, money),
         f"unadjusted {format_money(plain.npv, money)}"),
        ("ROI", format_percent(adjusted.roi, 0), "NPV / PV of costs"),
        ("IRR (annual)", format_irr(adjusted.irr, 0), adjusted.irr_note or ""),
        ("Payback", format_months(adjusted.payback_months, "not in horizon"),
         "discounted " + format_months(adjusted.discounted_payback_months, "not in horizon")),
    ]  # fmt: skip
    if one.simulation is not None:
        s = one.simulation
        boxes[0] = (
            boxes[0][0], boxes[0][1],
            f"P10–P90 {format_money(s.npv_percentiles[10], money)} to"
            f" {format_money(s.npv_percentiles[90], money)}; P(NPV>0) {s.prob_npv_positive:.0%}",
        )  # fmt: skip
    return boxes


def _figure_boxes(page: _Page, boxes: list[tuple[str, str, str]]) -> None:
    """The headline figures in a row of equal boxes across the page."""
    pdf = page.pdf
    top = pdf.get_y()
    box = page.width / len(boxes)
    for k, (label, value, note) in enumerate(boxes):
        _figure_box(page, 14 + k * box, top, box, label, value, note)
    pdf.set_xy(14, top + 23)


def _figure_box(
    page: _Page, x: float, top: float, box: float, label: str, value: str, note: str
) -> None:
    """One box ``box`` mm wide at (``x``, ``top``): label, value (shrunk to fit) and a note
    of at most two lines."""
    pdf, family = page.pdf, page.family
    pdf.set_draw_color(200, 200, 200)
    pdf.rect(x + 0.5, top, box - 1, 21)
    pdf.set_xy(x + 2.5, top + 1.5)
    pdf.set_font(family, "", 8)
    pdf.cell(box - 5, 4, label)
    pdf.set_xy(x + 2.5, top + 6)
    size = 13.0
    pdf.set_font(family, "B", size)
    while size > 7 and pdf.get_string_width(value) > box - 5:  # big amounts shrink
        size -= 0.5
        pdf.set_font(family, "B", size)
    pdf.cell(box - 5, 7, _fit(pdf, value, box - 5))
    pdf.set_xy(x + 2.5, top + 13.5)
    pdf.set_font(family, "", 6.5)
    lines = pdf.multi_cell(box - 5, 3, note, align="L", dry_run=True, output="LINES")
    if len(lines) > 2:  # the box holds two lines: the rest is cut with an ellipsis
        lines = [lines[0], _fit(pdf, " ".join(lines[1:]), box - 5)]
    pdf.multi_cell(box - 5, 3, "\n".join(lines), align="L")


def _chart(page: _Page, image: bytes) -> None:
    """The cash-flow chart (PNG) across the page, in the proportions it was rendered in."""
    pdf, width = page.pdf, page.width
    chart_height = width * 430 / 1000
    pdf.image(io.BytesIO(image), x=14, y=pdf.get_y(), w=width, h=chart_height)
    pdf.set_y(pdf.get_y() + chart_height + 2)


def _drivers(page: _Page, one: OnePager) -> None:
    """The three assumptions that move NPV most, each with its range and NPV's."""
    pdf, family, width = page.pdf, page.family, page.width
    case = one.result.case
    money = case.currency
    pdf.set_font(family, "B", 10.5)
    pdf.cell(width, 6, "The three assumptions that move NPV most", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 8)
    if not one.drivers:
        pdf.cell(width, 4.5, "No input moves NPV.", new_x="LMARGIN", new_y="NEXT")
    for row in one.drivers:
        pdf.multi_cell(
            width, 4.3,
            f"• {row.label}: {format_value(case, row.input, row.low)} to"
            f" {format_value(case, row.input, row.high)}"
            f" ({row.range_source}) moves NPV from {format_money(row.npv_low, money)} to"
            f" {format_money(row.npv_high, money)} (unadjusted view).",
            new_x="LMARGIN", new_y="NEXT", align="L",
        )  # fmt: skip
    pdf.ln(1.5)


def _evidence_table(page: _Page, one: OnePager) -> None:
    """Each line item's kind, evidence tier and share of PV, as many as fit above the
    conventions; the rest counted in a last line."""
    pdf, family, width = page.pdf, page.family, page.width
    pdf.set_font(family, "B", 10.5)
    pdf.cell(width, 6, "Evidence behind each line item", new_x="LMARGIN", new_y="NEXT")
    footer = pdf.h - 21  # where the conventions start
    room = int((footer - pdf.get_y() - 4.2 - 5) // 4.2)  # rows that fit above it
    shown = one.evidence[: max(1, min(len(one.evidence), room))]
    if len(shown) < len(one.evidence):
        shown = one.evidence[: max(1, room - 1)]  # keep a line for "and N more"
    pdf.set_fill_color(255, 255, 255)
    pdf.set_draw_color(190, 190, 190)
    headings = FontFace(emphasis="BOLD", fill_color=(235, 235, 235))
    with pdf.table(
        col_widths=(60, 14, 16, 20), text_align=("LEFT", "LEFT", "LEFT", "RIGHT"),
        line_height=4.2, first_row_as_headings=True, headings_style=headings,
    ) as table:  # fmt: skip
        pdf.set_font(family, "", 7.5)
        table.row(["Line item", "Kind", "Evidence", "Share of PV"])
        name_width = width * 60 / 110 - 2
        for name, kind, tier, share in shown:
            table.row([_fit(pdf, name, name_width), kind, tier, f"{share:.0%}"])
    if len(one.evidence) > len(shown):
        pdf.set_font(family, "", 7)
        pdf.cell(
            width, 4, f"and {len(one.evidence) - len(shown)} more line items (see the workbook)"
        )


def _conventions(page: _Page, one: OnePager) -> None:
    """The conventions behind the figures, in small print at the foot of the page."""
    pdf, family, width = page.pdf, page.family, page.width
    case = one.result.case
    pdf.set_y(pdf.h - 20)
    pdf.set_font(family, "", 6.5)
    pdf.set_text_color(90, 90, 90)
    convention = "monthly" if case.discounting == "monthly" else "at year end (TEI)"
    pdf.multi_cell(
        width, 3,
        f"Money in {case.currency}. Discounted {convention} at {case.discount_rate:.1%} a year;"
        " the initial flow is not discounted. Risk-adjusted: each benefit × (1 − ρ), each cost ×"
        " (1 + ρ), ρ the line's risk factor. Ranges are from a Monte Carlo of the case's"
        " declared uncertain inputs on the unadjusted amounts. Every figure equals"
        " `python -m roi evaluate --json` for this case; the workbook recomputes them with live"
        " formulas.",
        align="L",
    )  # fmt: skip
