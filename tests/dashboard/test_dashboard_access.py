"""AppTests of sign-in and roles: the gate (signed out, expired, not allowed, misconfigured),
what each role sees and may do on the pages, the Settings page's role table and threshold,
and local mode's banner. Sign-in itself, through a real provider, is the browser test's."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.markup import shown
from roi.access import Actor, Role
from roi.store import Store, prepare

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "dashboard" / "app.py")
SAMPLE = ROOT / "sample_data"
AUTH = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "test-cookie-secret",
    "client_id": "roi",
    "client_secret": "secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
SETUP = Actor("setup@example.com", Role.ADMIN)


@pytest.fixture
def store(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'app.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("ROI_USER", raising=False)
    opened = Store(url)
    yield opened
    opened.close()


def person(email: str, roles: list[str] | None = None, **claims) -> dict:
    user = {"is_logged_in": True, "email": email, "email_verified": True,
            "name": email.split("@")[0].title(), "exp": int(time.time()) + 3600,
            **claims}  # fmt: skip
    if roles is not None:
        user["roles"] = roles
    return user


def app(page: str, user: dict | None, access: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = AUTH
    if access is not None:
        at.secrets["access"] = access
    at.user = user if user is not None else {"is_logged_in": False}
    at.run()
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> str:
    return shown(
        " ".join(
            e.value
            for kind in ("markdown", "info", "error", "caption", "title")
            for e in at.get(kind)
        )
    )


def test_signed_out_people_see_only_the_sign_in_page(store):
    at = app("overview", None)
    assert [t.value for t in at.title] == ["AI ROI"]
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.get("plotly_chart") and not at.metric


def test_each_named_provider_gets_a_button(store):
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = {
        "redirect_uri": AUTH["redirect_uri"], "cookie_secret": "x",
        "microsoft": {"client_id": "a", "client_secret": "b", "server_metadata_url": "c"},
        "google": {"client_id": "a", "client_secret": "b", "server_metadata_url": "c"},
    }  # fmt: skip
    at.user = {"is_logged_in": False}
    at.run()
    assert sorted(b.label for b in at.button) == ["Sign in with Google", "Sign in with Microsoft"]


def test_an_expired_sign_in_asks_to_sign_in_again(store):
    at = app("pilots", person("ann@example.com", exp=int(time.time()) - 5))
    assert at.title[0].value == "Your sign-in has expired"
    assert {b.label for b in at.button} == {"Sign in again", "Sign out"}
    assert "Pilot observations" not in texts(at)


def test_unknown_people_are_refused_when_configured_so(store):
    at = app("overview", person("stranger@example.com"), {"unknown_users": "none"})
    assert at.title[0].value == "Signed in, but not allowed"
    assert "stranger@example.com" in shown(at.error[0].value)
    assert [b.label for b in at.button] == ["Sign out"]
    store.assign_role("stranger@example.com", "viewer", SETUP)  # an admin lets them in
    at = app("overview", person("stranger@example.com"), {"unknown_users": "none"})
    assert at.title[0].value != "Signed in, but not allowed"


def test_a_misconfigured_access_section_lets_nobody_in(store):
    at = app("overview", person("ann@example.com", ["admin"]), {"unknown_users": "guests"})
    assert at.title[0].value == "Sign-in is misconfigured"
    assert "unknown_users: 'guests'" in shown(at.error[0].value)


def test_a_viewer_cannot_upload_save_or_delete(store):
    case = store.add(prepare("case", (SAMPLE / "cases" / "lead_scoring.yaml").read_bytes(),
                             "lead_scoring.yaml"), SETUP).dataset  # fmt: skip
    viewer = person("vera@example.com")
    at = app("pilots", viewer)
    assert "Uploading files needs the editor role; you are signed in as vera@example.com" in (
        texts(at)
    )
    assert not [b for b in at.button if b.label.startswith("Save")]
    at = app("explorer", viewer)
    assert "Saving a scenario needs the editor role" in texts(at)
    at = app("data", viewer)
    assert not [b for b in at.button if b.label in ("Delete", "Restore")]
    assert "Deleting a dataset needs the editor role" in texts(at)
    at = app("settings", viewer)
    assert "Role: **viewer**" in texts(at)
    assert not at.get("form") and not at.number_input
    assert at.toggle(key="settings.keep_answers").disabled
    assert store.dataset(case.id).live


def test_an_editor_deletes_but_does_not_restore(store):
    dataset = store.add(prepare("pilots", (SAMPLE / "pilot_observations.csv").read_bytes(),
                                "p.csv"), SETUP).dataset  # fmt: skip
    editor = person("ed@example.com", ["editor"])
    at = app("data", editor)
    at.button(key="data.delete").click().run()
    assert not store.dataset(dataset.id).live
    assert store.events()[0].actor == "ed@example.com"
    assert not [b for b in at.button if b.key == "data.restore"]
    assert "Restoring a dataset needs the admin role" in texts(at)
    at = app("settings", editor)
    assert not at.number_input and not at.get("form")


def test_an_admin_from_the_role_table_assigns_roles_and_sets_the_threshold(store):
    store.assign_role("boss@example.com", "admin", SETUP)
    at = app("settings", person("boss@example.com"))
    assert "Role: **admin**, from the role table" in texts(at)
    at.text_input(key="settings.role_email").input("New.Person@Example.com")
    at.selectbox(key="settings.role").set_value("editor")
    at.button[[b.label for b in at.button].index("Assign role")].click().run()
    assert store.assigned_role("new.person@example.com") is Role.EDITOR
    assert any("new.person@example.com is now editor" in shown(s.value) for s in at.success)
    assert store.events()[0].actor == "boss@example.com"
    at.number_input(key="settings.min_group").set_value(8)
    at.button(key="settings.save_min_group").click().run()
    assert store.min_group() == 8
    at.selectbox(key="settings.remove_email").set_value("new.person@example.com")
    at.button(key="settings.remove").click().run()
    assert store.assigned_role("new.person@example.com") is None


def test_an_admin_cannot_change_their_own_role_here(store):
    store.assign_role("boss@example.com", "admin", SETUP)
    at = app("settings", person("boss@example.com"))
    assert not [s for s in at.selectbox if s.key == "settings.remove_email"]  # only them
    at.text_input(key="settings.role_email").input("BOSS@example.com")
    at.selectbox(key="settings.role").set_value("viewer")
    at.button[[b.label for b in at.button].index("Assign role")].click().run()
    assert store.assigned_role("boss@example.com") is Role.ADMIN
    assert any("cannot change your own role" in e.value for e in at.error)


def test_a_token_role_wins_over_the_table(store):
    store.assign_role("ann@example.com", "admin", SETUP)
    at = app("settings", person("ann@example.com", ["viewer"]))
    assert "Role: **viewer**, from the identity token's 'roles' claim" in texts(at)


def test_the_sidebar_names_who_is_signed_in_and_offers_sign_out(store):
    at = app("overview", person("ann@example.com", ["editor"]))
    assert "Sign out" in [b.label for b in at.sidebar.button]
    assert "**editor**" in " ".join(c.value for c in at.sidebar.caption)
    assert not [i for i in at.info if "Sign-in is off" in i.value]


def test_local_mode_has_every_right_and_says_sign_in_is_off(store, monkeypatch):
    monkeypatch.setenv("ROI_USER", "pat")
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert any("Sign-in is off" in i.value for i in at.info)
    at.switch_page("app_pages/settings.py").run()
    assert any("Sign-in is off" in i.value for i in at.info)  # on every page
    assert "everyone here is **pat**, an **admin**" in texts(at)
    at.number_input(key="settings.min_group").set_value(6)
    at.button(key="settings.save_min_group").click().run()
    assert store.min_group() == 6 and store.events()[0].actor == "pat"


def _pilots(store):
    return store.add(
        prepare("pilots", (SAMPLE / "pilot_observations.csv").read_bytes(), "p.csv"), SETUP
    ).dataset


def test_a_click_after_the_sign_in_expired_writes_nothing(store):
    """Callbacks run before the page's script (and its gate): they check afresh."""
    dataset = _pilots(store)
    at = app("data", person("ed@example.com", ["editor"]))
    at.user = person("ed@example.com", ["editor"], exp=int(time.time()) - 1)
    at.button(key="data.delete").click().run()
    assert store.dataset(dataset.id).live
    assert at.title[0].value == "Your sign-in has expired"


def test_a_click_after_being_demoted_writes_nothing(store):
    dataset = _pilots(store)
    store.assign_role("ed@example.com", "editor", SETUP)
    at = app("data", person("ed@example.com"))
    store.assign_role("ed@example.com", "viewer", SETUP)
    at.button(key="data.delete").click().run()
    assert store.dataset(dataset.id).live
    assert any("ed@example.com is a viewer" in shown(e.value) for e in at.error)


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (
            b'[auth]\nclient_id = "roi\n',
            "not valid TOML: Illegal character '\\n' (at line 2, column 17)",
        ),
        ('[auth]\nclient_id = "Zürich"\n'.encode("latin-1"), "not UTF-8 (byte 22 is 0xfc)"),
    ],
    ids=["bad-toml", "latin-1"],
)
def test_a_secrets_file_that_cannot_be_read_lets_nobody_in(store, tmp_path, content, why):
    from streamlit import config
    from streamlit.runtime.secrets import secrets_singleton

    broken = tmp_path / "secrets.toml"
    broken.write_bytes(content)
    before = config.get_option("secrets.files")
    config.set_option("secrets.files", [str(broken)])
    secrets_singleton._reset()
    try:
        at = AppTest.from_file(APP, default_timeout=60)
        at.run()
        assert at.title[0].value == "Sign-in is misconfigured"
        error = shown(at.error[0].value)
        assert f"{broken}: " in error and why in error
        assert not [i for i in at.info if "Sign-in is off" in i.value]
    finally:
        config.set_option("secrets.files", before)
        secrets_singleton._reset()


def test_a_saved_survey_below_a_raised_threshold_is_not_shown(store):
    items = SAMPLE / "survey" / "survey_items.csv"
    responses = SAMPLE / "survey" / "survey_responses.csv"
    kept = store.add(
        prepare("survey", responses.read_bytes(), responses.name,
                items=(items.read_bytes(), items.name)), SETUP,
    ).dataset  # fmt: skip
    store.set_setting("survey.min_group", "10", SETUP)
    at = app("culture", person("ann@example.com", ["viewer"]))
    assert any(f"Saved survey #{kept.id} was made with smaller groups shown" in w.value
               for w in at.warning)  # fmt: skip
    assert "Groups of fewer than 10 respondents are hidden" in texts(at)


def test_no_survey_figure_is_shown_when_the_threshold_cannot_be_read(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "mysql://nobody@127.0.0.1/x")
    at = app("culture", person("ann@example.com", ["editor"]))
    assert any("Survey figures are not shown while the store cannot be read" in w.value
               for w in at.warning)  # fmt: skip
    assert not at.get("plotly_chart")


def test_survey_counts_below_the_threshold_are_hidden_and_role_changes_are_for_admins(store):
    items = SAMPLE / "survey" / "survey_items.csv"
    responses = SAMPLE / "survey" / "survey_responses.csv"
    store.add(prepare("survey", responses.read_bytes(), responses.name,
                      items=(items.read_bytes(), items.name)), SETUP)  # fmt: skip
    store.assign_role("someone@example.com", "editor", SETUP)
    store.set_setting("survey.min_group", "10", SETUP)
    at = app("data", person("vera@example.com"))
    table = at.dataframe[0].value
    assert table["Rows"].isna().all()  # the respondents of a survey kept at 5
    assert "count hidden" in at.selectbox(key="data.chosen").options[0]
    history = at.dataframe[1].value
    assert "role" not in set(history["What"])  # who has which role: admins only
    at = app("data", person("boss@example.com", ["admin"]))
    assert "role" in set(at.dataframe[1].value["What"])


def test_the_role_table_not_answering_is_not_called_having_no_role(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "mysql://nobody@127.0.0.1/x")
    at = app("overview", person("boss@example.com"), {"unknown_users": "none"})
    assert at.title[0].value == "Your role cannot be checked just now"


def test_unverified_email_is_explained_on_the_not_allowed_page(store):
    user = person("boss@example.com")
    user["email_verified"] = False
    store.assign_role("boss@example.com", "admin", SETUP)
    at = app("overview", user, {"unknown_users": "none"})
    assert at.title[0].value == "Signed in, but not allowed"
    assert "does not say that your e-mail boss@example.com is verified" in texts(at)


def test_an_incomplete_auth_section_is_named_not_offered_as_a_sign_in(store):
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = {"client_id": "roi", "server_metadata_url": "https://x"}
    at.user = {"is_logged_in": False}
    at.run()
    assert at.title[0].value == "Sign-in is misconfigured"
    assert "[auth] cookie_secret is missing" in shown(at.error[0].value)
    assert not at.button


def test_an_empty_access_section_turns_sign_in_on(store):
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["access"] = {"unknown_users": "none"}
    at.run()
    assert at.title[0].value == "Sign-in is misconfigured"  # no provider: nobody gets in
    assert not [i for i in at.info if "Sign-in is off" in i.value]
