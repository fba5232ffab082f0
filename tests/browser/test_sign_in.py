"""Sign-in in the browser, against a real OpenID Connect provider: ``oidc-provider-mock``
serving on 127.0.0.1, and the dashboard configured for it through a secrets file as the
manual documents (docs/deployment.md). A viewer and an editor sign in through the provider's
login form; the viewer cannot upload (and is told why), the editor uploads and saves; both
sign out."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from appserver import free_port, start_app, stop_app
from playwright.sync_api import expect
from serving import save_pilot_upload

from roi.access import Actor, Role
from roi.store import Store, prepare

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "sample_data" / "cases" / "lead_scoring.yaml"

VIEWER = "viewer@example.com"  # no role anywhere: the default for unknown people (viewer)
EDITOR = "editor@example.com"  # the provider's token says editor (the "roles" claim)


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """A real OpenID Connect provider on 127.0.0.1; yields its address."""
    import oidc_provider_mock
    import werkzeug.serving

    users = [
        oidc_provider_mock.User(
            sub=EDITOR,
            claims={
                "email": EDITOR,
                "email_verified": True,
                "name": "Eddie Editor",
                "roles": ["editor"],
            },
        ),
        oidc_provider_mock.User(
            sub=VIEWER, claims={"email": VIEWER, "email_verified": True, "name": "Vera Viewer"}
        ),
    ]
    server = werkzeug.serving.make_server(
        "127.0.0.1", free_port(), oidc_provider_mock.app(user_claims=users), threaded=True
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


@pytest.fixture(scope="module")
def signed_app(provider, tmp_path_factory) -> Iterator[tuple[str, str]]:
    """The dashboard with sign-in on, its own store; yields (address, database URL)."""
    folder = tmp_path_factory.mktemp("sign-in")
    port = free_port()
    secrets = folder / "secrets.toml"
    secrets.write_text(
        f"""
[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "a-test-cookie-secret-that-is-long-enough-0123456789"
client_id = "roi-dashboard"
client_secret = "not-a-real-secret"
server_metadata_url = "{provider}/.well-known/openid-configuration"

[access]
role_claim = "roles"
unknown_users = "viewer"
""",
        encoding="utf-8",
    )
    database = f"sqlite:///{folder / 'roi.sqlite3'}"
    store = Store(database)  # one dataset kept beforehand, for the Data page
    store.add(prepare("case", CASE.read_bytes(), CASE.name), Actor("setup", Role.ADMIN))
    store.close()
    process = start_app(port, {"DATABASE_URL": database}, secrets=secrets)
    try:
        yield f"http://127.0.0.1:{port}", database
    finally:
        stop_app(process)


def sign_in(page, url: str, who: str) -> None:
    """Through the provider's own login form, as a person would."""
    page.goto(url)
    expect(page.get_by_text("Sign in to continue")).to_be_visible()
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/oauth2/authorize**")
    page.get_by_placeholder("sub").fill(who)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{url}/**")
    expect(page.get_by_text(who).first).to_be_visible()


def sign_out(page, url: str) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="End session").click()  # the provider's own page
    expect(page.get_by_text("Sign in to continue")).to_be_visible()
    # Signed out for good: a fresh visit asks for sign-in again.
    page.goto(f"{url}/pilots")
    expect(page.get_by_text("Sign in to continue")).to_be_visible()


def test_nothing_is_shown_before_sign_in(signed_app, tab, screenshot):
    url, _ = signed_app
    tab.goto(f"{url}/pilots")
    expect(tab.get_by_text("Sign in to continue")).to_be_visible()
    expect(tab.get_by_role("button", name="Sign in")).to_be_visible()
    expect(tab.get_by_text("Pilot observations")).to_have_count(0)
    screenshot(tab, "sign_in")


def test_a_viewer_sees_but_cannot_upload(signed_app, tab, screenshot):
    url, _ = signed_app
    sign_in(tab, url, VIEWER)
    expect(tab.get_by_text("viewer", exact=True)).to_be_visible()  # the sidebar's role
    tab.goto(f"{url}/pilots")
    expect(tab.get_by_text("Showing the bundled sample", exact=False)).to_be_visible()
    expect(tab.locator('[data-testid="stFileUploaderDropzoneInput"]')).to_be_disabled()
    expect(
        tab.get_by_text(
            f"Uploading files needs the editor role; you are signed in as {VIEWER}, a viewer."
        )
    ).to_be_visible()
    expect(tab.locator('[data-testid="stPlotlyChart"]')).to_have_count(6)  # viewers see it all
    screenshot(tab, "sign_in_viewer_pilots")
    tab.goto(f"{url}/settings")
    expect(tab.get_by_text("Role: viewer", exact=False)).to_be_visible()
    expect(tab.get_by_role("button", name="Assign role")).to_have_count(0)
    tab.goto(f"{url}/data")
    expect(tab.get_by_text("Deleting a dataset needs the editor role", exact=False)).to_be_visible()
    expect(tab.get_by_role("button", name="Delete")).to_have_count(0)
    sign_out(tab, url)


def test_an_editor_uploads_and_saves(signed_app, tab, screenshot, tmp_path):
    url, database = signed_app
    sign_in(tab, url, EDITOR)
    expect(tab.get_by_text("editor", exact=True)).to_be_visible()
    tab.goto(f"{url}/pilots")
    save_pilot_upload(tab, tmp_path, "editor_pilot.csv")
    screenshot(tab, "sign_in_editor_saved")
    store = Store(database)
    (dataset,) = store.datasets("pilots")
    assert dataset.imported_by == EDITOR  # every write records who made it
    assert store.events()[0].actor == EDITOR
    store.close()
    tab.goto(f"{url}/data")
    expect(tab.get_by_role("button", name="Delete")).to_be_visible()  # editors delete
    expect(tab.get_by_text("Restoring a dataset needs the admin role")).to_have_count(0)
    sign_out(tab, url)
    screenshot(tab, "sign_in_signed_out")
