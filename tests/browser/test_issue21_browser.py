"""Issue 21 in the browser: GitHub's usage metrics report read and named, its activity
shown; several 1-day files joined with the overlap said; per-user files priced as seats."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

DATA = Path(__file__).parents[1] / "data" / "telemetry" / "github_usage_metrics"


def upload(page, *paths: Path) -> None:
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        [str(path) for path in paths]
    )


def test_github_usage_metrics_report(page, app_url, screenshot):
    page.set_viewport_size({"width": 1400, "height": 3600})
    page.goto(f"{app_url}/adoption")
    expect(page.get_by_text("Read as: adoption CSV", exact=False)).to_be_visible()
    upload(page, DATA / "gh_org_28day__viewer_mock.json")
    expect(
        page.get_by_text(
            "Read as: GitHub Copilot usage metrics report (aggregate), organization 100000001,"
            " report period 2026-03-29 to 2026-04-25."
        )
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Activity")).to_be_visible()
    expect(page.get_by_text("Chat reach")).to_be_visible()
    # Activity by feature first: its rows are in the grid (drawn on a canvas, cells in the DOM).
    expect(page.get_by_text("code_completion", exact=True).first).to_be_attached()
    expect(page.get_by_text("Time to merge (all)")).to_be_visible()
    expect(page.get_by_text("Only the code_completion feature's acceptance rate")).to_be_visible()
    screenshot(page, "issue21_github_usage_metrics")


def test_several_files_and_seats(page, app_url, screenshot, tmp_path):
    page.set_viewport_size({"width": 1400, "height": 3600})
    page.goto(f"{app_url}/adoption")
    expect(page.get_by_text("Read as: adoption CSV", exact=False)).to_be_visible()
    users = (DATA / "users_1day.ndjson").read_text()
    first, second = tmp_path / "users-a.ndjson", tmp_path / "users-b.ndjson"
    first.write_text(users)
    second.write_text(users)
    upload(page, first, second)
    expect(
        page.get_by_text("Read as: GitHub Copilot usage metrics report (per user), 2 files joined",
                         exact=False)
    ).to_be_visible()  # fmt: skip
    # The note is a cell of the data-quality grid (drawn on a canvas; the cell is in the DOM).
    joined = page.get_by_text("are in both users-a.ndjson and users-b.ndjson", exact=False)
    expect(joined).to_be_attached()
    expect(page.get_by_role("heading", name="Spend and seats")).to_be_visible()
    seats = page.get_by_role("spinbutton", name="Seats bought (0 = not known)")
    seats.fill("10")
    seats.press("Enter")
    expect(page.get_by_text("Idle seats on", exact=False)).to_be_visible()
    # The report lists only people who used Copilot: no "idle licences" from the list itself.
    expect(page.get_by_text("Idle licences on", exact=False)).to_have_count(0)
    screenshot(page, "issue21_several_files_seats")


VIVA = Path(__file__).parents[1] / "data" / "telemetry" / "viva" / "viva_pq_data_3_orgs_2_weeks.csv"


def test_viva_team_is_the_attribute_chosen(page, app_url, screenshot):
    page.set_viewport_size({"width": 1400, "height": 3000})
    page.goto(f"{app_url}/adoption")
    expect(page.get_by_text("Read as: adoption CSV", exact=False)).to_be_visible()
    upload(page, VIVA)
    expect(
        page.get_by_text(
            "Read as: Viva Insights person query, report period 2024-03-31 to 2024-04-13."
        )
    ).to_be_visible()
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Team is the attribute")
    expect(box.get_by_role("combobox")).to_have_value("Organization")
    # Six people, two in each of IT, HR and Sales, over the weeks of 2024-03-31 and 04-07.
    expect(page.get_by_text("teams: HR, IT, Sales.", exact=False)).to_be_visible()
    box.click()
    page.get_by_role("option", name="Level", exact=True).click()
    # By Level: Level1 (the two Sales executives), Level3 and Level4.
    expect(page.get_by_text("teams: Level1, Level3, Level4.", exact=False)).to_be_visible()
    # The week of 04-07: Level1 1 + Level3 3 + Level4 1 active people = 5, as by
    # organisation (HR 2 + IT 2 + Sales 1): the attribute splits people, never counts them.
    active = page.locator('[data-testid="stMetric"]').filter(has_text="Active users (last day)")
    expect(active).to_contain_text("5")
    page.get_by_text("Monthly series by team").click()
    expect(page.get_by_text("Level3", exact=True).first).to_be_attached()
    screenshot(page, "issue21_viva_team_by")
