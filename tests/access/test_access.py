"""Roles, rights and how a signed-in person's role is found (roi.access): pure functions,
no database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from roi.access import (
    RIGHTS,
    AccessConfigError,
    AccessPolicy,
    Actor,
    Forbidden,
    Gate,
    Right,
    Role,
    actor_name,
    admit,
    auth_problems,
    check_email,
    display_name,
    expired,
    expires_at,
    identity_of,
    least_role,
    policy_from_settings,
    require,
    resolve,
    role_from_claim,
    why_no_identity,
)

# The issue's table of rights, written out once more by hand: viewer sees, editor also
# uploads/saves/deletes, admin also restores, changes settings, erases answers, assigns roles.
EXPECTED = {
    Role.VIEWER: {Right.VIEW},
    Role.EDITOR: {Right.VIEW, Right.UPLOAD, Right.SAVE, Right.DELETE},
    Role.ADMIN: set(Right),
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_carries_exactly_its_rights(role):
    assert set(RIGHTS[role]) == EXPECTED[role]
    for right in Right:
        assert Actor("x", role).may(right) == (right in EXPECTED[role])


def test_roles_are_nested():
    assert RIGHTS[Role.VIEWER] < RIGHTS[Role.EDITOR] < RIGHTS[Role.ADMIN]
    assert least_role(Right.VIEW) is Role.VIEWER
    assert least_role(Right.SAVE) is Role.EDITOR
    assert least_role(Right.RESTORE) is Role.ADMIN


def test_require_refuses_with_the_reason():
    with pytest.raises(Forbidden) as refused:
        require(Actor("vera@example.com", Role.VIEWER), Right.SAVE)
    assert str(refused.value) == (
        "vera@example.com is a viewer and may not save datasets, cases and scenarios to the"
        " store: that needs the editor role. Nothing was changed."
    )
    require(Actor("ed@example.com", Role.EDITOR), Right.SAVE)  # no error


def test_a_bare_name_never_passes_for_an_actor():
    with pytest.raises(TypeError):
        require("admin", Right.VIEW)  # type: ignore[arg-type]


def test_default_policy():
    policy = policy_from_settings(None)
    assert policy == AccessPolicy()
    assert policy.role_claim == "roles" and policy.unknown_users is Role.VIEWER


def test_policy_settings_are_read():
    policy = policy_from_settings(
        {
            "role_claim": "groups",
            "unknown_users": "none",
            "claim_values": {"admin": ["ROI Admins"], "editor": "ROI Editors"},
        }
    )
    assert policy.role_claim == "groups"
    assert policy.unknown_users is None
    assert policy.claim_values[Role.ADMIN] == ("ROI Admins",)
    assert policy.claim_values[Role.EDITOR] == ("ROI Editors",)
    assert policy.claim_values[Role.VIEWER] == ()  # configured values replace the defaults
    assert policy_from_settings({"role_claim": ""}).role_claim is None


def test_every_policy_problem_is_reported_at_once():
    with pytest.raises(AccessConfigError) as bad:
        policy_from_settings(
            {
                "role_claim": 3,
                "unknown_users": ["viewer"],
                "identity_claim": "",
                "claim_values": {"owner": ["x"], "admin": [""]},
                "roles_claim": "roles",
            }
        )
    problems = bad.value.problems
    assert len(problems) == 6, problems
    assert any("roles_claim: unknown setting" in p for p in problems)
    assert any("role_claim: 3 is not text" in p for p in problems)
    assert any("['viewer'] is not one of viewer, editor, admin, none" in p for p in problems)
    assert any("identity_claim: '' is not a claim's name" in p for p in problems)
    assert any("owner: not a role" in p for p in problems)
    assert any("admin: [''] is not a list of non-blank texts" in p for p in problems)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("editor", Role.EDITOR),
        (["viewer", "Admin"], Role.ADMIN),  # the highest named, in any case
        (["Editor ", "other"], Role.EDITOR),
        (["other"], None),
        ("viewer, admin", Role.ADMIN),  # several names in one text, comma-separated
        ("viewer editor", None),  # one name, which is no role's
        (["Finance Admin"], None),  # a list's entries are whole names
        (["Not an admin"], None),
        ("", None),
        (None, None),
        (42, None),
        ({"admin": True}, None),
    ],
)
def test_role_from_claim(value, expected):
    assert role_from_claim({"roles": value}, AccessPolicy()) is expected


def test_claim_values_map_group_names_to_roles():
    policy = policy_from_settings(
        {"role_claim": "groups", "claim_values": {"editor": ["roi-editors"]}}
    )
    assert role_from_claim({"groups": ["staff", "ROI-Editors"]}, policy) is Role.EDITOR
    assert role_from_claim({"groups": ["editor"]}, policy) is None  # the default was replaced
    assert role_from_claim({"roles": ["admin"]}, policy) is None  # another claim is ignored


def test_no_role_claim_ignores_the_token():
    policy = policy_from_settings({"role_claim": ""})
    assert role_from_claim({"roles": ["admin"]}, policy) is None


def test_resolution_order_claim_then_table_then_default():
    claims = {"email": "Ann@Example.com", "email_verified": True, "name": "Ann",
              "roles": ["editor"]}  # fmt: skip
    policy = AccessPolicy()
    by_claim = resolve(claims, Role.ADMIN, policy)
    assert (by_claim.role, by_claim.identity) == (Role.EDITOR, "ann@example.com")
    assert "'roles' claim" in by_claim.source
    no_claim = {"email": "ann@example.com", "email_verified": True}
    assert resolve(no_claim, Role.ADMIN, policy).role is Role.ADMIN
    assert "role table" in resolve(no_claim, Role.ADMIN, policy).source
    assert resolve(no_claim, None, policy).role is Role.VIEWER
    refused = resolve(no_claim, None, policy_from_settings({"unknown_users": "none"}))
    assert refused.role is None
    assert not refused.actor.may(Right.UPLOAD)  # someone without a role changes nothing


def test_an_unknown_claim_value_falls_back_to_the_table():
    claims = {"email": "ann@example.com", "email_verified": True, "roles": ["Some.Other.App"]}
    assert resolve(claims, Role.EDITOR, AccessPolicy()).role is Role.EDITOR


def test_identity_is_the_verified_email_claim():
    verified = {"email_verified": True}
    assert identity_of({"email": "Ann@Example.COM", **verified}) == "ann@example.com"
    assert identity_of({"email": " pad@example.com ", **verified}) == "pad@example.com"
    assert identity_of({"email": "ann@example.com", "email_verified": "true"}) == "ann@example.com"
    # Unless the provider vouches for the e-mail, it is not used (Entra ID never does).
    assert identity_of({"email": "boss@example.com", "email_verified": False}) is None
    assert identity_of({"email": "boss@example.com"}) is None
    assert "does not say that your e-mail boss@example.com is verified" in why_no_identity(
        {"email": "boss@example.com"}
    )
    assert "carries no 'email' claim" in why_no_identity({"sub": "1"})
    # Entra ID's usernames are not trusted unless the configuration names that claim.
    assert identity_of({"preferred_username": "bo@contoso.com"}) is None
    entra = policy_from_settings({"identity_claim": "preferred_username"})
    assert identity_of({"preferred_username": "Bo@Contoso.com"}, entra) == "bo@contoso.com"
    assert identity_of({"email": "a b@x.io", **verified}) is None
    assert identity_of({"email": 5, **verified}) is None


def test_without_an_email_the_history_records_the_subject_at_its_issuer():
    claims = {"name": "boss@example.com", "sub": "123", "iss": "https://idp.example.com"}
    assert actor_name(claims) == "sub:123 (https://idp.example.com)"  # never the name
    access = resolve({**claims, "roles": ["editor"]}, None, AccessPolicy())
    assert access.actor == Actor("sub:123 (https://idp.example.com)", Role.EDITOR)
    assert access.identity is None  # and the role table is not consulted by name
    assert display_name({"name": "Ann A.", "email": "a@x.io"}) == "Ann A."
    assert display_name({"sub": "abc"}) == "abc"
    assert display_name({}) == "unnamed user"


def test_expiry_follows_the_tokens_exp_claim():
    exp = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    claims = {"exp": int(exp.timestamp())}
    assert expires_at(claims) == exp
    assert not expired(claims, datetime(2026, 11, 28, 11, 59, 59, tzinfo=UTC))
    assert expired(claims, exp)
    assert expires_at({"exp": float(exp.timestamp())}) == exp
    for bad in ({}, {"exp": "soon"}, {"exp": True}, {"exp": float("inf")}, {"exp": 10**20}):
        assert expires_at(bad) is None
        assert not expired(bad)


@pytest.mark.parametrize(
    ("text", "expected"),
    [(" Ann@Example.com ", "ann@example.com"), ("a+b@x.io", "a+b@x.io")],
)
def test_emails_are_keyed_lower_case(text, expected):
    assert check_email(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "ann", "@x.io", "ann@", "a b@x.io", "a\x00@x.io"])
def test_bad_emails_are_refused(text):
    with pytest.raises(ValueError):
        check_email(text)


def test_an_overlong_email_is_refused():
    with pytest.raises(ValueError, match="at most 320"):
        check_email("a" * 320 + "@x.io")


def test_a_complete_auth_section_has_no_problems():
    base = {"redirect_uri": "https://roi.example.com/oauth2callback", "cookie_secret": "s"}
    provider = {"client_id": "a", "client_secret": "b", "server_metadata_url": "https://x"}
    assert auth_problems({**base, **provider}) == []
    assert auth_problems({**base, "microsoft": provider, "google": provider}) == []


def test_every_auth_problem_is_named():
    problems = auth_problems({"redirect_uri": "roi.example.com", "okta_eu": {"client_id": "a"}})
    assert problems == [
        "[auth] cookie_secret is missing",
        "[auth] redirect_uri 'roi.example.com' must be the app's address ending in /oauth2callback",
        "[auth.okta_eu]: a provider's name may not hold an underscore",
        "[auth.okta_eu] client_secret is missing",
        "[auth.okta_eu] server_metadata_url is missing",
    ]
    assert "[auth] redirect_uri is missing" in auth_problems({})
    assert "[auth] client_id is missing" in auth_problems({})


NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
SIGNED_IN = {"is_logged_in": True, "email": "ann@example.com", "email_verified": True,
             "sub": "1", "exp": int(NOW.timestamp()) + 60}  # fmt: skip


def table(role: Role | None, readable: bool = True):
    asked = []

    def lookup(email: str):
        asked.append(email)
        return role, readable

    lookup.asked = asked
    return lookup


def test_admit_signed_out_and_expired_sessions_get_no_role_and_no_table_lookup():
    lookup = table(Role.ADMIN)
    out = admit({"is_logged_in": False}, lookup, AccessPolicy(), NOW)
    assert (out.gate, out.role) == (Gate.SIGNED_OUT, None)
    gone = admit({**SIGNED_IN, "exp": int(NOW.timestamp())}, lookup, AccessPolicy(), NOW)
    assert (gone.gate, gone.role, gone.identity) == (Gate.EXPIRED, None, "ann@example.com")
    assert not gone.actor.may(Right.SAVE) and gone.actor.name == "nobody"
    assert lookup.asked == []


def test_admit_reads_the_table_by_verified_email():
    lookup = table(Role.EDITOR)
    access = admit(SIGNED_IN, lookup, AccessPolicy(), NOW)
    assert (access.gate, access.role, access.recorded) == (Gate.OPEN, Role.EDITOR,
                                                            "ann@example.com")  # fmt: skip
    assert lookup.asked == ["ann@example.com"]
    unverified = table(Role.ADMIN)
    access = admit({**SIGNED_IN, "email_verified": False}, unverified, AccessPolicy(), NOW)
    assert access.role is Role.VIEWER and unverified.asked == []  # the default, not admin


def test_admit_tells_no_role_from_a_table_that_does_not_answer():
    closed = policy_from_settings({"unknown_users": "none"})
    assert admit(SIGNED_IN, table(None), closed, NOW).gate is Gate.NO_ROLE
    assert admit(SIGNED_IN, table(None, readable=False), closed, NOW).gate is Gate.ROLE_UNKNOWN
    # A role from the token needs no table.
    claimed = admit({**SIGNED_IN, "roles": ["editor"]}, table(None, False), closed, NOW)
    assert (claimed.gate, claimed.role) == (Gate.OPEN, Role.EDITOR)
