"""Who may do what: roles, the rights each carries, and how a signed-in person's role is
found. Pure: the store checks rights with :func:`require` before every write, and the
dashboard asks :func:`resolve` for the role of whoever the identity provider signed in.

- **viewer**: see every page, move sliders, download exports;
- **editor**: also upload files, save datasets, cases and scenarios, and delete them;
- **admin**: also restore what was deleted, change settings (the survey anonymity threshold
  and the raw-answer opt-in), erase raw survey answers and assign roles.

A role comes from a claim of the identity token when the provider sends one that names a
role, else from the store's role table (keyed by e-mail), else from the policy for people
with no role: viewer, or no access at all.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    VIEWER = "viewer"
    EDITOR = "editor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    @property
    def with_article(self) -> str:
        """The role's name after its article, for sentences: "a viewer", "an editor",
        "an admin"."""
        return f"{'an' if self.value[0] in 'aeiou' else 'a'} {self.value}"


class Right(StrEnum):
    VIEW = "view"
    UPLOAD = "upload"
    SAVE = "save"
    DELETE = "delete"
    RESTORE = "restore"
    CHANGE_SETTINGS = "change settings"
    ERASE_ANSWERS = "erase answers"
    MANAGE_ROLES = "manage roles"


# What each right lets a person do, in words (the Settings page lists them; a refusal
# names the one that is missing).
RIGHT_WORDS: dict[Right, str] = {
    Right.VIEW: "see every page, move sliders and download exports",
    Right.UPLOAD: "upload files",
    Right.SAVE: "save datasets, cases and scenarios to the store",
    Right.DELETE: "delete saved datasets and scenarios",
    Right.RESTORE: "restore deleted datasets",
    Right.CHANGE_SETTINGS: "change settings (survey anonymity threshold, raw-answer opt-in)",
    Right.ERASE_ANSWERS: "erase kept raw survey answers",
    Right.MANAGE_ROLES: "assign and remove roles",
}

RIGHTS: dict[Role, frozenset[Right]] = {
    Role.VIEWER: frozenset({Right.VIEW}),
    Role.EDITOR: frozenset({Right.VIEW, Right.UPLOAD, Right.SAVE, Right.DELETE}),
    Role.ADMIN: frozenset(Right),
}


def least_role(right: Right) -> Role:
    """The lowest role that carries ``right``."""
    return min((role for role in Role if right in RIGHTS[role]), key=lambda r: r.rank)


@dataclass(frozen=True)
class Actor:
    """Someone acting on the store: ``name`` is what the history records (the e-mail of a
    signed-in person; the operator's name on the command line)."""

    name: str
    role: Role

    def may(self, right: Right) -> bool:
        return right in RIGHTS[self.role]


class Forbidden(PermissionError):
    """The actor's role does not carry the right the action needs; nothing was changed."""

    def __init__(self, actor: Actor, right: Right):
        self.actor = actor
        self.right = right
        super().__init__(
            f"{actor.name} is {actor.role.with_article} and may not {RIGHT_WORDS[right]}: that"
            f" needs the {least_role(right).value} role. Nothing was changed."
        )


def require(actor: Actor, right: Right) -> None:
    """Raise :class:`Forbidden` unless ``actor`` may ``right``."""
    if not isinstance(actor, Actor):  # a bare name must never pass for a person with rights
        raise TypeError(f"an Actor is needed, not {type(actor).__name__}")
    if not actor.may(right):
        raise Forbidden(actor, right)


# Policy ---------------------------------------------------------------------------------


class AccessConfigError(ValueError):
    """The ``[access]`` settings have problems; each is one line of ``problems``."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class AccessPolicy:
    """How roles are found. ``role_claim``: the identity-token claim holding role names (a
    string, possibly of several names, or a list of strings), ``None`` to ignore tokens;
    ``claim_values``: the claim values that mean each role (by default the role's own name,
    in any case); ``unknown_users``: the role of someone neither the token nor the role
    table names, ``None`` for no access; ``identity_claim``: the claim holding the e-mail
    the role table is keyed by."""

    role_claim: str | None = "roles"
    claim_values: Mapping[Role, tuple[str, ...]] = field(
        default_factory=lambda: {role: (role.value,) for role in Role}
    )
    unknown_users: Role | None = Role.VIEWER
    identity_claim: str = "email"


_POLICY_KEYS = {"role_claim", "claim_values", "unknown_users", "identity_claim"}


def policy_from_settings(settings: Mapping[str, Any] | None) -> AccessPolicy:
    """The policy of an ``[access]`` table (from ``.streamlit/secrets.toml``); missing keys
    take the defaults. Every problem is reported at once."""
    settings = dict(settings or {})
    problems = [
        f"[access] {key}: unknown setting (expected one of {', '.join(sorted(_POLICY_KEYS))})"
        for key in settings
        if key not in _POLICY_KEYS
    ]
    default = AccessPolicy()
    role_claim = settings.get("role_claim", default.role_claim)
    if not isinstance(role_claim, str):
        problems.append(f"[access] role_claim: {role_claim!r} is not text (a claim's name)")
        role_claim = default.role_claim
    role_claim = role_claim.strip() or None

    unknown = settings.get("unknown_users", "viewer")
    unknown_users: Role | None = default.unknown_users
    if unknown == "none":
        unknown_users = None
    elif isinstance(unknown, str) and unknown in {r.value for r in Role}:
        unknown_users = Role(unknown)
    else:
        problems.append(
            f"[access] unknown_users: {unknown!r} is not one of viewer, editor, admin, none"
        )

    identity_claim = settings.get("identity_claim", default.identity_claim)
    if not isinstance(identity_claim, str) or not identity_claim.strip():
        problems.append(
            f"[access] identity_claim: {identity_claim!r} is not a claim's name (e.g. email)"
        )
        identity_claim = default.identity_claim

    # Configured claim values replace the defaults: a role not listed is named by no value.
    given = settings.get("claim_values", {})
    claim_values = dict(default.claim_values) if not given else {role: () for role in Role}
    if not isinstance(given, Mapping):
        problems.append('[access] claim_values: expected a table such as admin = ["ROI.Admin"]')
        given = {}
    for key, values in given.items():
        if key not in {r.value for r in Role}:
            problems.append(f"[access.claim_values] {key}: not a role (viewer, editor, admin)")
            continue
        if isinstance(values, str):
            values = [values]
        if not isinstance(values, list | tuple) or not all(
            isinstance(v, str) and v.strip() for v in values
        ):
            problems.append(
                f"[access.claim_values] {key}: {values!r} is not a list of non-blank texts"
            )
            continue
        claim_values[Role(key)] = tuple(v.strip() for v in values)
    if problems:
        raise AccessConfigError(problems)
    return AccessPolicy(role_claim, claim_values, unknown_users, identity_claim.strip())


# Resolution -----------------------------------------------------------------------------


def identity_of(claims: Mapping[str, Any], policy: AccessPolicy | None = None) -> str | None:
    """The e-mail a person is known by (trimmed, lower-case): the policy's identity claim
    (``email`` unless configured otherwise); ``None`` when the token has none that is an
    e-mail address. The ``email`` claim counts only when the provider vouches for it
    (``email_verified`` true): anyone can type an e-mail into some providers' profiles."""
    claim = (policy or AccessPolicy()).identity_claim
    value = claims.get(claim)
    if not isinstance(value, str):
        return None
    if claim == "email" and claims.get("email_verified") not in (True, "true"):
        return None
    try:
        return check_email(value)
    except ValueError:
        return None


def actor_name(claims: Mapping[str, Any], policy: AccessPolicy | None = None) -> str:
    """What the history records for a signed-in person: their e-mail, else their subject
    at their issuer (``sub:ID (ISSUER)``): unique, and never mistaken for an e-mail."""
    identity = identity_of(claims, policy)
    if identity is not None:
        return identity
    sub, issuer = claims.get("sub"), claims.get("iss")
    return f"sub:{sub} ({issuer})" if issuer else f"sub:{sub}"


def display_name(claims: Mapping[str, Any]) -> str:
    """Who to greet: the ``name`` claim, else the e-mail, else the subject."""
    for claim in ("name", "email", "preferred_username", "sub"):
        value = claims.get(claim)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return "unnamed user"


def role_from_claim(claims: Mapping[str, Any], policy: AccessPolicy) -> Role | None:
    """The highest role the token's role claim names, or ``None``."""
    if policy.role_claim is None:
        return None
    value = claims.get(policy.role_claim)
    # A list's entries are names as they are ("Finance Admin" is not "admin"); a single
    # text may list several, separated by commas ("viewer,editor").
    values = (
        value.split(",") if isinstance(value, str) else value if isinstance(value, list) else []
    )
    named = {v.strip().casefold() for v in values if isinstance(v, str) and v.strip()}
    found = [
        role
        for role, meaning in policy.claim_values.items()
        if named & {m.casefold() for m in meaning}
    ]
    return max(found, key=lambda r: r.rank) if found else None


class Gate(StrEnum):
    """What the app does with a session: let it in, or which page stops it."""

    OPEN = "open"  # signed in with a role (or sign-in is off)
    MISCONFIGURED = "misconfigured"  # the sign-in settings have problems: nobody gets in
    SIGNED_OUT = "signed out"
    EXPIRED = "expired"  # the identity token's exp has passed
    NO_ROLE = "no role"  # signed in, but neither token, table nor policy gives a role
    ROLE_UNKNOWN = "role unknown"  # no role, and the role table could not be read


NOBODY = "nobody"


@dataclass(frozen=True)
class Access:
    """A session's access: ``identity`` the person's e-mail (the role table's key),
    ``recorded`` what the history records for them, ``name`` who to greet; ``role``
    ``None`` unless ``gate`` is open."""

    identity: str | None
    name: str
    role: Role | None
    source: str
    recorded: str = ""
    gate: Gate = Gate.OPEN

    @property
    def actor(self) -> Actor:
        """Who acts; someone without a role acts as a viewer, who may change nothing."""
        return Actor(self.recorded or self.identity or self.name, self.role or Role.VIEWER)


def resolve(claims: Mapping[str, Any], assigned: Role | None, policy: AccessPolicy) -> Access:
    """A signed-in person's role: from the token's claim when it names one, else
    ``assigned`` (their row of the role table), else the policy for unknown users."""
    identity = identity_of(claims, policy)
    name = display_name(claims)
    recorded = actor_name(claims, policy)
    claimed = role_from_claim(claims, policy)
    if claimed is not None:
        source = f"the identity token's {policy.role_claim!r} claim"
        return Access(identity, name, claimed, source, recorded)
    if assigned is not None:
        return Access(identity, name, assigned, "the role table (Settings page)", recorded)
    if policy.unknown_users is not None:
        source = "the default for people with no role"
        return Access(identity, name, policy.unknown_users, source, recorded)
    source = "no role: this app admits only people given one"
    return Access(identity, name, None, source, recorded, Gate.NO_ROLE)


def admit(
    claims: Mapping[str, Any],
    lookup: Callable[[str], tuple[Role | None, bool]],
    policy: AccessPolicy,
    now: datetime,
) -> Access:
    """Whether, and as whom, a session with these claims (Streamlit's ``st.user``) gets in:
    signed out, expired (the token's ``exp`` has passed), or :func:`resolve`'s answer, the
    role table read with ``lookup`` (e-mail → its role and whether the table could be
    read). No role, when the table could not be read, is "role unknown", not "no role"."""
    if not claims.get("is_logged_in"):
        return Access(None, NOBODY, None, "not signed in", NOBODY, Gate.SIGNED_OUT)
    if expired(claims, now):
        source = "the sign-in has expired"
        return Access(identity_of(claims, policy), NOBODY, None, source, NOBODY, Gate.EXPIRED)
    identity = identity_of(claims, policy)
    assigned, readable = lookup(identity) if identity is not None else (None, True)
    access = resolve(claims, assigned, policy)
    if access.role is None and not readable:
        return replace(access, source="the role table cannot be read just now",
                       gate=Gate.ROLE_UNKNOWN)  # fmt: skip
    return access


def expires_at(claims: Mapping[str, Any]) -> datetime | None:
    """When the identity token expires (its ``exp`` claim), as the provider set it."""
    exp = claims.get("exp")
    if isinstance(exp, bool) or not isinstance(exp, int | float) or not math.isfinite(exp):
        return None
    try:
        return datetime.fromtimestamp(exp, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def expired(claims: Mapping[str, Any], now: datetime | None = None) -> bool:
    """Whether the sign-in has expired: its token's ``exp`` has passed."""
    at = expires_at(claims)
    return at is not None and (now or datetime.now(UTC)) >= at


EMAIL_MAX = 320


def check_email(text: str) -> str:
    """An e-mail as the role table keys it (trimmed, lower-case); ``ValueError`` with the
    reason when it cannot be one."""
    value = text.strip().lower()
    if not value:
        raise ValueError("an e-mail address is needed")
    if len(value) > EMAIL_MAX:
        raise ValueError(f"an e-mail address has at most {EMAIL_MAX} characters")
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError(f"{text!r} holds spaces or control characters")
    local, at, domain = value.rpartition("@")
    if not at or not local or not domain:
        raise ValueError(f"{text!r} is not an e-mail address (name@domain)")
    return value


def why_no_identity(claims: Mapping[str, Any], policy: AccessPolicy | None = None) -> str:
    """In words, why :func:`identity_of` found no e-mail in these claims."""
    claim = (policy or AccessPolicy()).identity_claim
    value = claims.get(claim)
    if not isinstance(value, str) or not value.strip():
        return f"your sign-in carries no {claim!r} claim"
    if claim == "email" and claims.get("email_verified") not in (True, "true"):
        return f"your identity provider does not say that your e-mail {value.strip()} is verified"
    return f"your {claim!r} claim, {value!r}, is not an e-mail address"


_AUTH_SHARED = ("redirect_uri", "cookie_secret")
_AUTH_PROVIDER = ("client_id", "client_secret", "server_metadata_url")


def auth_problems(section: Mapping[str, Any]) -> list[str]:
    """What an ``[auth]`` section lacks for Streamlit's sign-in, one line each: the shared
    ``redirect_uri`` (ending in ``/oauth2callback``) and ``cookie_secret``, and for the
    provider in ``[auth]`` itself or each ``[auth.NAME]``, its ``client_id``,
    ``client_secret`` and ``server_metadata_url``."""
    problems = []
    for key in _AUTH_SHARED:
        value = section.get(key)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"[auth] {key} is missing")
    redirect = section.get("redirect_uri")
    well_formed = isinstance(redirect, str) and (
        redirect.startswith(("http://", "https://"))
        and redirect.rstrip("/").endswith("/oauth2callback")
    )
    if isinstance(redirect, str) and redirect.strip() and not well_formed:
        problems.append(
            f"[auth] redirect_uri {redirect!r} must be the app's address ending in /oauth2callback"
        )
    named = {k: v for k, v in section.items() if isinstance(v, Mapping)}
    direct = any(key in section for key in _AUTH_PROVIDER)
    providers = ({"": section} if direct or not named else {}) | named
    for name, provider in providers.items():
        where = "[auth]" if name == "" else f"[auth.{name}]"
        if "_" in name:
            problems.append(f"{where}: a provider's name may not hold an underscore")
        for key in _AUTH_PROVIDER:
            value = provider.get(key)
            if not isinstance(value, str) or not value.strip():
                problems.append(f"{where} {key} is missing")
    return problems
