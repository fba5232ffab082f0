"""Issue 24: the Impact page used as a person would, in headless Chromium: the sample's
verdict, the three charts, another metric picked, a broken file refused. Screenshots under
tests/artifacts/."""

from __future__ import annotations

from playwright.sync_api import expect


def test_impact_page(page, app_url, screenshot, tmp_path):
    page.set_viewport_size({"width": 1400, "height": 2600})
    page.goto(f"{app_url}/impact")
    expect(page.get_by_text("Using the tool lowers hours_to_merge", exact=False)).to_be_visible(
        timeout=60_000
    )
    expect(page.locator('[data-testid="stPlotlyChart"]')).to_have_count(3)
    expect(
        page.get_by_text("Groups of fewer than 5 people are hidden", exact=False)
    ).to_be_visible()
    screenshot(page, "impact")
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Metric").click()
    page.get_by_role("option", name="prs_merged").click()
    expect(page.get_by_text("Using the tool raises prs_merged", exact=False)).to_be_visible()
    screenshot(page, "impact_prs")
    broken = tmp_path / "usage.csv"
    broken.write_text("person_id,period,active_days\nana@example.com,2026-01-27,2\n")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(broken))
    expect(page.get_by_text("usage.csv was rejected: 1 problem(s)")).to_be_visible()
    expect(page.locator('[data-testid="stPlotlyChart"]')).to_have_count(0)
    expect(page.locator('[data-testid="stDataFrame"]')).to_have_count(1)  # the problems
    screenshot(page, "impact_rejected")
