"""What several browser tests do on a page (the app itself is started by
``devtools/appserver.py``, which the root conftest puts on the path)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


PILOTS = ROOT / "sample_data" / "pilot_observations.csv"


def save_pilot_upload(page, folder: Path, name: str) -> None:
    """On the Pilots page: upload the bundled pilot file under the name ``name`` (from
    ``folder``), as a person would, and save it to the store."""
    from playwright.sync_api import expect

    upload = folder / name
    upload.write_bytes(PILOTS.read_bytes())
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(upload))
    expect(page.get_by_text(f"{name}: 3,080 observations, every row valid")).to_be_visible()
    page.get_by_role("button", name=f"Save {name} to the store").click()
    expect(page.get_by_text("Saved as dataset #", exact=False)).to_be_visible()
