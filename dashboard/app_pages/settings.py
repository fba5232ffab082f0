"""Settings: who you are and what your role lets you do; how sign-in is set up; and, for
admins, the survey anonymity threshold, the raw-answer opt-in (and erasing kept answers) and
the role table. Every change is made by the store, which checks the role again."""

import pandas as pd
import streamlit as st

from dashboard import database, saved, signin
from dashboard.markup import code, plain
from roi.access import AccessConfigError, Forbidden, Right, Role, expires_at
from roi.culture.anonymity import MIN_GROUP_FLOOR
from roi.store import DATABASE_ERRORS, NotFound, StoreInputError
from roi.store.db import failure_reason
from roi.store.settings import MIN_GROUP_CEILING

st.title("Settings")
me = signin.actor()
current = signin.current()


def flash(message: str, kind: str = "success") -> None:
    st.session_state["settings.flash"] = (kind, message)


def attempt(failed: str, write, done) -> None:
    """Run a write from a callback and leave its outcome for the next run."""
    try:
        flash(done(write()))
    except (NotFound, Forbidden) as error:
        flash(f"{failed}: {plain(error)}", "error")
    except StoreInputError as error:
        flash(f"{failed}: " + "; ".join(plain(p) for p in error.problems), "error")
    except DATABASE_ERRORS as error:
        flash(f"{failed}: the database failed ({plain(failure_reason(error))}).", "error")


if "settings.flash" in st.session_state:
    kind, message = st.session_state.pop("settings.flash")
    (st.success if kind == "success" else st.error)(message)

# Who you are ------------------------------------------------------------------------------
st.subheader("Your access")
if signin.sign_in_on():
    until = expires_at(signin.claims())
    st.markdown(
        f"Signed in as **{plain(current.name)}**"
        f" ({plain(current.identity or 'the token names no e-mail')})."
        f" Role: **{me.role.value}**, from {plain(current.source)}."
        + (f" Your sign-in lasts until {until:%Y-%m-%d %H:%M} UTC." if until else "")
    )
else:
    st.markdown(
        f"Sign-in is off, so everyone here is **{plain(me.name)}**, an **admin**: every change is"
        " recorded under that name (set `ROI_USER` on the server to change it)."
    )
st.dataframe(pd.DataFrame(signin.rights_table(me.role)), hide_index=True, width="content")

with st.expander("How sign-in is set up"):
    if not signin.sign_in_on():
        st.markdown(
            "No identity provider is configured (no `[auth]` section in"
            " `.streamlit/secrets.toml`). The manual's *Sign-in and roles* (docs/deployment.md)"
            " shows how to configure Microsoft Entra ID, Okta or Google."
        )
    else:
        try:
            rules = signin.policy()
        except AccessConfigError as error:  # the gate has refused everyone already
            st.error("; ".join(plain(p) for p in error.problems))
        else:
            names = [plain(signin.provider_label(p)) for p in signin.providers()]
            claim = (
                f"the token's {code(rules.role_claim)} claim, when it names a role"
                if rules.role_claim
                else "not from the token (no role claim is configured)"
            )
            unknown = (
                "are refused (no access)"
                if rules.unknown_users is None
                else f"are **{rules.unknown_users.value}s**"
            )
            st.markdown(
                f"- Identity provider(s): {', '.join(names)}.\n"
                f"- Roles come from {claim}; else from the role table below.\n"
                f"- People with neither {unknown}."
            )

kept = database.store()
if kept is None:
    st.stop()
admin = me.may(Right.CHANGE_SETTINGS)
try:
    threshold = kept.min_group()
    keep = kept.keep_answers()
    surveys = [
        d for d in kept.datasets("survey", include_deleted=True) if d.meta.get("answers_kept")
    ]
    roles = kept.roles() if me.may(Right.MANAGE_ROLES) else []  # who has which role: admins'
except DATABASE_ERRORS as error:
    database.unavailable(error)
    st.stop()

# Survey anonymity -----------------------------------------------------------------------
st.subheader("Survey anonymity")
st.markdown(
    f"No survey figure is shown, saved or exported for a group of fewer than **{threshold}**"
    " respondents (and the next smallest group is hidden too when a hidden one could be"
    " worked out from the total). A saved survey scored with smaller groups than today's"
    " threshold is no longer shown; saving its files again scores them afresh."
)


def save_threshold() -> None:
    value = str(st.session_state["settings.min_group"])
    attempt(
        "Not changed",
        lambda: kept.set_setting("survey.min_group", value, signin.actor()),
        lambda _: f"The anonymity threshold is {value} from now on.",
    )


if admin:
    # Every run shows the stored value, so a stale page never saves an old one back.
    st.session_state["settings.min_group"] = threshold
    with st.form("settings.threshold", border=False):
        new, button = st.columns([1, 2], vertical_alignment="bottom")
        new.number_input(
            "Smallest group shown", min_value=MIN_GROUP_FLOOR, max_value=MIN_GROUP_CEILING,
            step=1, key="settings.min_group",
        )  # fmt: skip
        button.form_submit_button(
            "Save threshold", on_click=save_threshold, key="settings.save_min_group"
        )
else:
    st.caption(":material/lock: " + signin.refusal(Right.CHANGE_SETTINGS, "changing settings"))

# Raw answers ----------------------------------------------------------------------------
st.subheader("Raw survey answers")


def switch_answers() -> None:
    """The switch was moved in this session: write it (every session shows the store's
    value, so a stale session never writes it back)."""
    wanted = "on" if st.session_state["settings.keep_answers"] else "off"
    attempt(
        "Not changed",
        lambda: kept.set_setting("survey.keep_answers", wanted, signin.actor()),
        lambda _: f"Raw survey answers are {'kept' if wanted == 'on' else 'not kept'} from now on.",
    )


def erase_answers(dataset_id: int) -> None:
    attempt(
        "Nothing erased",
        lambda: kept.delete_answers(dataset_id, signin.actor()),
        lambda n: f"Erased {n:,} raw answers of survey #{dataset_id}; its aggregates stay.",
    )


st.session_state["settings.keep_answers"] = keep
st.toggle(
    "Keep raw survey answers when a survey is saved",
    key="settings.keep_answers",
    on_change=switch_answers,
    disabled=not me.may(Right.CHANGE_SETTINGS),
    help="Off by default. Raw answers are never displayed or exported, to anyone; they only"
    " allow a survey to be scored again later. Only the aggregates are kept when off.",
)
if surveys:
    by_id = {d.id: d for d in surveys}
    st.markdown(f"{len(surveys)} saved survey(s) keep raw answers.")
    if me.may(Right.ERASE_ANSWERS):
        doomed = st.selectbox(
            "Survey", list(by_id), format_func=lambda i: saved.describe(by_id[i]),
            key="settings.erase_survey",
        )  # fmt: skip
        with st.popover("Erase raw answers", icon=":material/delete_forever:"):
            st.markdown(
                "The survey's individual answers are removed **for good** (its aggregates"
                " stay). This cannot be undone."
            )
            st.button(
                "Erase them", key="settings.erase", type="primary", on_click=erase_answers,
                args=(doomed,),
            )  # fmt: skip
elif admin:
    st.caption("No saved survey keeps raw answers.")
if not admin:
    st.caption(":material/lock: " + signin.refusal(Right.ERASE_ANSWERS, "erasing raw answers"))

# Roles ----------------------------------------------------------------------------------
st.subheader("Roles")
st.markdown(
    "**viewer**: sees every page, moves sliders, downloads exports. **editor**: also uploads"
    " files, saves and deletes datasets, cases and scenarios. **admin**: also restores,"
    " changes these settings and assigns roles. A role in the identity token wins over this"
    " table."
)
if not me.may(Right.MANAGE_ROLES):
    st.caption(
        ":material/lock: " + signin.refusal(Right.MANAGE_ROLES, "seeing and assigning roles")
    )
elif roles:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "E-mail": r.email,
                    "Role": r.role.value,
                    "Assigned (UTC)": r.assigned_at.strftime("%Y-%m-%d %H:%M"),
                    "By": r.assigned_by,
                }
                for r in roles
            ]
        ),
        hide_index=True,
        width="stretch",
    )
else:
    st.caption("Nobody has a role in the table yet.")


def own(email: str) -> bool:
    return email.strip().lower() == me.name.strip().lower()


def assign() -> None:
    email = st.session_state.get("settings.role_email", "")
    role = st.session_state["settings.role"]
    if own(email):
        flash("Not changed: you cannot change your own role here (so that no admin locks"
              " themselves out); ask another admin.", "error")  # fmt: skip
        return
    attempt(
        "Not assigned",
        lambda: kept.assign_role(email, role, signin.actor()),
        lambda a: f"{plain(a.email)} is now {a.role.value}.",
    )


def remove(email: str) -> None:
    if own(email):
        flash("Not removed: you cannot remove your own role; ask another admin.", "error")
        return
    attempt(
        "Not removed",
        lambda: kept.remove_role(email, signin.actor()),
        lambda _: f"{plain(email)} is out of the role table.",
    )


if me.may(Right.MANAGE_ROLES):
    with st.form("settings.assign", clear_on_submit=True, border=True):
        email_col, role_col = st.columns([3, 1])
        email_col.text_input("E-mail", key="settings.role_email", placeholder="name@company.com")
        role_col.selectbox("Role", [r.value for r in Role], index=1, key="settings.role")
        st.form_submit_button("Assign role", on_click=assign, icon=":material/person_add:")
    others = [r.email for r in roles if not own(r.email)]
    if others:
        out, button = st.columns([3, 1], vertical_alignment="bottom")
        leaving = out.selectbox("Remove from the table", others, key="settings.remove_email")
        button.button(
            "Remove", key="settings.remove", on_click=remove, args=(leaving,),
            icon=":material/person_remove:",
        )  # fmt: skip
