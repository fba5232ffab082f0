"""Sign-in and roles on the pages' side.

**Local mode** (no ``[auth]`` section in ``.streamlit/secrets.toml``): one user with every
right, and a banner on every page saying that sign-in is off. **Sign-in mode**: Streamlit's
``st.login`` against the OpenID Connect provider the ``[auth]`` section names; the role
comes from :func:`roi.access.admit` (token claim, else the store's role table, else the
``[access]`` policy for unknown users). :func:`gate` runs before every page and stops the
run with the sign-in page, the "session expired" page or the "not allowed" page.

The rights are enforced by the store (:func:`roi.access.require`) on every write; the
pages only hide or disable what the role cannot do and say why.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import streamlit as st

from dashboard import database
from dashboard.markup import plain
from roi.access import (
    NOBODY,
    RIGHT_WORDS,
    RIGHTS,
    Access,
    AccessConfigError,
    AccessPolicy,
    Actor,
    Gate,
    Right,
    Role,
    admit,
    auth_problems,
    expires_at,
    least_role,
    policy_from_settings,
    why_no_identity,
)
from roi.store import DATABASE_ERRORS

LOCAL_NAME = "local user"
_PROVIDER_KEYS = ("client_id", "server_metadata_url")


def _loaded() -> bool:
    """Whether a secrets file was read (``False`` for none, or one that cannot be read)."""
    try:
        return st.secrets.load_if_toml_exists()
    except (OSError, UnicodeError, ValueError):  # e.g. a file that is not UTF-8
        return False


def _secret(name: str) -> Mapping[str, Any] | None:
    """A section of the secrets; ``None`` when there is no such section."""
    if not _loaded():
        return None
    try:
        value = st.secrets.get(name)
    except (KeyError, FileNotFoundError):
        return None
    if value is None:
        return None
    return value if isinstance(value, Mapping) else {}


def unreadable_secrets() -> list[str]:
    """Secrets files that exist but cannot be read (a TOML mistake, not UTF-8): sign-in
    then fails closed, never open."""
    if _loaded():
        return []
    from streamlit import config

    return [str(p) for p in config.get_option("secrets.files") if Path(p).exists()]


def why_unreadable(path: Path) -> str:
    """Why a secrets file cannot be read, with the line and column TOML's reader names."""
    import tomllib

    try:
        tomllib.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as error:
        return f"not UTF-8 (byte {error.start + 1} is {error.object[error.start]:#04x})"
    except tomllib.TOMLDecodeError as error:
        return f"not valid TOML: {error}"
    except OSError as error:
        return f"cannot be opened ({error.strerror})"
    return "cannot be read; see the server's log"


def auth_section() -> Mapping[str, Any]:
    """The ``[auth]`` section of the secrets, empty when there is none."""
    return _secret("auth") or {}


def sign_in_on() -> bool:
    """Whether sign-in is required: an ``[auth]`` or ``[access]`` section, even an empty
    one, turns it on, and so does a secrets file that cannot be read. A mistake fails
    closed, never open."""
    return (
        _secret("auth") is not None or _secret("access") is not None or bool(unreadable_secrets())
    )


def providers() -> list[str | None]:
    """The providers to offer: ``None`` for the one configured directly in ``[auth]``,
    else the name of each ``[auth.NAME]`` section."""
    section = auth_section()
    named = [
        name
        for name, value in section.items()
        if isinstance(value, Mapping) and any(key in value for key in _PROVIDER_KEYS)
    ]
    if any(key in section for key in _PROVIDER_KEYS) or not named:
        return [None, *named]
    return named


def policy() -> AccessPolicy:
    return policy_from_settings(_secret("access") or {})


def config_problems() -> list[str]:
    """Everything wrong with the sign-in settings, one line each: a secrets file that
    cannot be read, what ``[auth]`` lacks, bad ``[access]`` values."""
    broken = unreadable_secrets()
    if broken:
        return [f"{path}: {why_unreadable(Path(path))}" for path in broken]
    problems = auth_problems(auth_section())
    try:
        policy()
    except AccessConfigError as error:
        problems += error.problems
    return problems


def claims() -> dict[str, Any]:
    return dict(st.user.to_dict())


def _assigned(identity: str) -> tuple[Role | None, bool]:
    """The role table's role for ``identity``, and whether the table could be read."""
    kept = database.store()
    if kept is None:
        return None, False
    try:
        return kept.assigned_role(identity), True
    except DATABASE_ERRORS as error:
        database.unavailable(error)
        return None, False


def local_actor() -> Actor:
    return Actor(os.environ.get("ROI_USER", "").strip() or LOCAL_NAME, Role.ADMIN)


def work_out() -> Access:
    """This session's access now (see :func:`roi.access.admit`): the local user as admin
    with sign-in off; nobody while the sign-in settings have problems."""
    if not sign_in_on():
        actor = local_actor()
        return Access(None, actor.name, Role.ADMIN, "sign-in is off", actor.name)
    if config_problems():
        source = "sign-in is misconfigured"
        return Access(None, NOBODY, None, source, NOBODY, Gate.MISCONFIGURED)
    return admit(claims(), _assigned, policy(), datetime.now(UTC))


def current() -> Access:
    """This run's access, worked out once per run for drawing the page (the gate has
    worked it out afresh at the start of the run)."""
    run = st.session_state.get("run")
    cached = st.session_state.get("access.current")
    if cached is not None and cached[0] == run:
        return cached[1]
    access = work_out()
    st.session_state["access.current"] = (run, access)
    return access


def actor() -> Actor:
    """Who a write is made as, worked out afresh at each call: a button's callback runs
    before the page's script (and so before the gate), so it must not trust what the last
    run saw. Someone signed out, expired or without a role acts as a viewer, who may
    change nothing."""
    return work_out().actor


def may(right: Right) -> bool:
    """Whether this run's person may ``right`` (for drawing; writes check again)."""
    return current().actor.may(right)


def refusal(right: Right, doing: str | None = None) -> str:
    """Why this session cannot do ``right``, in words."""
    who = current().actor
    return (
        f"{(doing or RIGHT_WORDS[right]).capitalize()} needs the {least_role(right).value}"
        f" role; you are signed in as {plain(who.name)}, {who.role.with_article}."
    )


def explain(right: Right, doing: str | None = None) -> bool:
    """``True`` when this session may ``right``; else say why not (once per run and
    right) and return ``False``."""
    if may(right):
        return True
    said = st.session_state.setdefault("access.said", {})
    run = st.session_state.get("run")
    if said.get(right.value) != run:
        said[right.value] = run
        st.info(refusal(right, doing), icon=":material/lock:")
    return False


def uploader(label: str, *, key: str, **options):
    """``st.file_uploader`` for those who may upload; for a viewer, the same box disabled,
    a note saying why, and ``None`` whatever the browser sends."""
    if may(Right.UPLOAD):
        return st.file_uploader(label, key=key, **options)
    st.file_uploader(label, key=key, disabled=True, **options)
    explain(Right.UPLOAD, "uploading files")
    return None


# The gate ------------------------------------------------------------------------------


def provider_label(name: str | None) -> str:
    return "your organisation's account" if name is None else name.replace("-", " ").title()


def _sign_in_buttons(key: str, label: str = "Sign in") -> None:
    for name in providers():
        suffix = "" if name is None else f" with {plain(provider_label(name))}"
        if st.button(f"{label}{suffix}", key=f"{key}.{name}", type="primary",
                     icon=":material/login:"):  # fmt: skip
            st.login(name) if name is not None else st.login()
            st.stop()


def _sign_out_button(key: str) -> None:
    if st.button("Sign out", key=key, icon=":material/logout:"):
        st.logout()
        st.stop()  # nothing more of this run: the browser is on its way out


def _sign_in_page() -> None:
    st.title("AI ROI")
    st.subheader("Sign in to continue")
    st.write(
        "This dashboard holds business cases, pilot data and survey results. Sign in with"
        " your organisation's account; what you may do depends on your role."
    )
    _sign_in_buttons("access.sign_in")


def _expired_page(token: Mapping[str, Any]) -> None:
    at = expires_at(token)
    st.title("Your sign-in has expired")
    st.write(
        f"Your identity provider's sign-in ended at {at:%Y-%m-%d %H:%M} UTC. Sign in again to"
        " go on; your provider may not ask for your password again."
    )
    _sign_in_buttons("access.again", "Sign in again")
    _sign_out_button("access.expired_out")


def _not_allowed_page(access: Access) -> None:
    who = plain(access.identity or access.recorded or access.name)
    if access.gate is Gate.ROLE_UNKNOWN:
        st.title("Your role cannot be checked just now")
        st.warning(
            f"You are signed in as **{who}**, but the store that keeps the role table does"
            " not answer, so this app cannot tell what you may do. Try again in a minute.",
            icon=":material/cloud_off:",
        )
        _sign_out_button("access.refused_out")
        return
    st.title("Signed in, but not allowed")
    st.error(
        f"You are signed in as **{who}**, but this app admits only people who have been given"
        " a role, and you have none.",
        icon=":material/block:",
    )
    if access.identity is None:
        reason = why_no_identity(claims(), policy())
        st.write(
            f"The role table cannot be used for you: {plain(reason)}. Ask your identity provider's"
            " administrator to send a role in your token (or a verified e-mail), then sign"
            " in again."
        )
    else:
        st.write(
            f"Ask an admin of this dashboard to give {plain(access.identity)} a role (viewer,"
            " editor or admin) on its Settings page, or your identity provider's administrator to"
            " send one in your token. Then sign in again."
        )
    _sign_out_button("access.refused_out")


def _config_problem(problems: list[str]) -> None:
    st.title("Sign-in is misconfigured")
    st.error(
        "The sign-in settings (`.streamlit/secrets.toml`) have problems, so nobody is let in"
        " until they are fixed:\n\n" + "\n".join(f"- {plain(p)}" for p in problems)
    )


def _identity_box(access: Access) -> None:
    with st.sidebar:
        if not sign_in_on():
            st.caption(f":material/lock_open: Sign-in is off · {plain(access.name)} (admin)")
            return
        until = expires_at(claims())
        st.markdown(f":material/account_circle: **{plain(access.name)}**")
        st.caption(
            f"{plain(access.identity or 'no verified e-mail')} · **{access.role.value}**"
            + (f" · until {until:%H:%M} UTC" if until else "")
        )
        _sign_out_button("access.sign_out")


def gate() -> Actor:
    """Run before every page: returns who acts, or shows the sign-in, expired, not-allowed
    or misconfiguration page and stops the run."""
    access = current()
    if not sign_in_on():
        st.info(
            "**Sign-in is off**: anyone who can open this address has every right (upload,"
            " delete, settings). To require sign-in, configure an identity provider; see the"
            " manual's *Sign-in and roles* (docs/deployment.md).",
            icon=":material/lock_open:",
        )
    elif access.gate is Gate.MISCONFIGURED:
        _config_problem(config_problems())
        st.stop()
    elif access.gate is Gate.SIGNED_OUT:
        _sign_in_page()
        st.stop()
    elif access.gate is Gate.EXPIRED:
        _expired_page(claims())
        st.stop()
    elif access.gate is not Gate.OPEN:
        _not_allowed_page(access)
        st.stop()
    _identity_box(access)
    return access.actor


def rights_table(role: Role) -> list[dict[str, str]]:
    return [
        {"Right": RIGHT_WORDS[right], "Yours": "yes" if right in RIGHTS[role] else "no"}
        for right in Right
    ]
