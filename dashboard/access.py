"""Sign-in and roles on the pages' side.

**Local mode** (no ``[auth]`` section in ``.streamlit/secrets.toml``): one user with every
right, and a banner on every page saying that sign-in is off. **Sign-in mode**: Streamlit's
``st.login`` against the OpenID Connect provider the ``[auth]`` section names; the role
comes from :func:`roi.access.resolve` (token claim, else the store's role table, else the
``[access]`` policy for unknown users). :func:`gate` runs before every page and stops the
run with the sign-in page, the "session expired" page or the "not allowed" page.

The rights are enforced by the store (:func:`roi.access.require`) on every write; the
pages only hide or disable what the role cannot do and say why.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import streamlit as st

from roi.access import (
    RIGHT_WORDS,
    RIGHTS,
    Access,
    AccessConfigError,
    AccessPolicy,
    Actor,
    Right,
    Role,
    expired,
    expires_at,
    identity_of,
    least_role,
    policy_from_settings,
    resolve,
)
from roi.store import DATABASE_ERRORS

LOCAL_NAME = "local user"
_PROVIDER_KEYS = ("client_id", "server_metadata_url")


def _secret(name: str) -> Mapping[str, Any]:
    try:
        if not st.secrets.load_if_toml_exists():
            return {}
        value = st.secrets.get(name)
    except (KeyError, FileNotFoundError):
        return {}
    return value if isinstance(value, Mapping) else {}


def auth_section() -> Mapping[str, Any]:
    """The ``[auth]`` section of the secrets, empty when sign-in is off."""
    return _secret("auth")


def sign_in_on() -> bool:
    """Whether an identity provider is configured. Any ``[auth]`` section turns sign-in on:
    a half-written one fails closed (the sign-in page says what is wrong), never open."""
    return bool(auth_section())


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
    return policy_from_settings(_secret("access"))


def claims() -> dict[str, Any]:
    return dict(st.user.to_dict())


def _assigned(identity: str | None) -> Role | None:
    from dashboard import saved

    if identity is None:
        return None
    kept = saved.store()
    if kept is None:
        return None
    try:
        return kept.assigned_role(identity)
    except DATABASE_ERRORS as error:
        saved.unavailable(error)
        return None


def local_actor() -> Actor:
    return Actor(os.environ.get("ROI_USER", "").strip() or LOCAL_NAME, Role.ADMIN)


def current() -> Access:
    """This run's access, worked out once per run. In local mode, the local user as
    admin. Raises :class:`AccessConfigError` for bad ``[access]`` settings."""
    run = st.session_state.get("run")
    cached = st.session_state.get("access.current")
    if cached is not None and cached[0] == run:
        return cached[1]
    if not sign_in_on():
        actor = local_actor()
        access = Access(None, actor.name, Role.ADMIN, "sign-in is off")
    else:
        token = claims()
        rules = policy()
        if not token.get("is_logged_in"):
            access = Access(None, "nobody", None, "not signed in")
        else:
            access = resolve(token, _assigned(identity_of(token)), rules)
    st.session_state["access.current"] = (run, access)
    return access


def actor() -> Actor:
    """Who this session acts as; a viewer when no role is known (the gate has already
    stopped such a run before any page)."""
    if not sign_in_on():
        return local_actor()
    access = current()
    return Actor(access.identity or access.name, access.role or Role.VIEWER)


def may(right: Right) -> bool:
    try:
        return actor().may(right)
    except AccessConfigError:
        return False


def refusal(right: Right, doing: str | None = None) -> str:
    """Why this session cannot do ``right``, in words."""
    who = actor()
    return (
        f"{(doing or RIGHT_WORDS[right]).capitalize()} needs the {least_role(right).value}"
        f" role; you are signed in as {who.name}, a {who.role.value}."
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
        suffix = "" if name is None else f" with {provider_label(name)}"
        if st.button(f"{label}{suffix}", key=f"{key}.{name}", type="primary",
                     icon=":material/login:"):  # fmt: skip
            st.login(name) if name is not None else st.login()


def _sign_out_button(key: str) -> None:
    if st.button("Sign out", key=key, icon=":material/logout:"):
        st.logout()


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
    st.title("Signed in, but not allowed")
    who = access.identity or access.name
    st.error(
        f"You are signed in as **{who}**, but this app admits only people who have been given"
        " a role, and you have none.",
        icon=":material/block:",
    )
    st.write(
        "Ask an admin of this dashboard to give your e-mail a role (viewer, editor or admin)"
        " on its Settings page, or your identity provider's administrator to send one in"
        " your token. Then sign in again."
    )
    _sign_out_button("access.refused_out")


def _config_problem(error: AccessConfigError) -> None:
    st.title("Sign-in is misconfigured")
    st.error(
        "The `[access]` section of `.streamlit/secrets.toml` has problems, so nobody is let"
        " in until they are fixed:\n\n" + "\n".join(f"- {p}" for p in error.problems)
    )


def _identity_box(access: Access) -> None:
    with st.sidebar:
        if not sign_in_on():
            st.caption(f":material/lock_open: Sign-in is off · {access.name} (admin)")
            return
        until = expires_at(claims())
        st.markdown(f":material/account_circle: **{access.name}**")
        st.caption(
            f"{access.identity or 'no e-mail in the token'} · **{access.role.value}**"
            + (f" · until {until:%H:%M} UTC" if until else "")
        )
        _sign_out_button("access.sign_out")


def gate() -> Actor:
    """Run before every page: returns who acts, or shows the sign-in, expired, not-allowed
    or misconfiguration page and stops the run."""
    if not sign_in_on():
        access = current()
        st.info(
            "**Sign-in is off**: anyone who can open this address has every right (upload,"
            " delete, settings). To require sign-in, configure an identity provider; see the"
            " README's *Sign-in and roles*.",
            icon=":material/lock_open:",
        )
        _identity_box(access)
        return local_actor()
    try:
        access = current()
    except AccessConfigError as error:
        _config_problem(error)
        st.stop()
    token = claims()
    if not token.get("is_logged_in"):
        _sign_in_page()
        st.stop()
    if expired(token, datetime.now(UTC)):
        _expired_page(token)
        st.stop()
    if access.role is None:
        _not_allowed_page(access)
        st.stop()
    _identity_box(access)
    return access.actor


def rights_table(role: Role) -> list[dict[str, str]]:
    return [
        {"Right": RIGHT_WORDS[right], "Yours": "yes" if right in RIGHTS[role] else "no"}
        for right in Right
    ]
