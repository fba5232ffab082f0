"""Rights enforced at the store's boundary, on SQLite and on PostgreSQL: every method that
writes refuses a role without the right and leaves every table exactly as it was; the role
that has it succeeds and the history records who. Also the role table and the anonymity
threshold setting."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from roi.access import Actor, Forbidden, Right, Role, least_role
from roi.store import BelowThreshold, NotFound, Store, StoreInputError, prepare, schema
from roi.store.core import Store as StoreClass

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"
PILOTS = SAMPLE / "pilot_observations.csv"
CASE = SAMPLE / "cases" / "support_chatbot.yaml"
ITEMS = SAMPLE / "survey" / "survey_items.csv"
RESPONSES = SAMPLE / "survey" / "survey_responses.csv"

SETUP = Actor("setup@example.com", Role.ADMIN)


SMALL_PILOTS = b"use_case_id,metric,group,unit_id,value\n" + b"".join(
    f"UC-1,task_minutes,{'pilot' if i % 2 else 'baseline'},u{i},{10 + i % 7}\n".encode()
    for i in range(40)
)


def _pilots():
    return prepare("pilots", SMALL_PILOTS, "small_pilot.csv")


def _file(kind: str, path: Path, **options):
    if kind == "survey":
        options.setdefault("items", (ITEMS.read_bytes(), ITEMS.name))
    return prepare(kind, path.read_bytes(), path.name, **options)


def _snapshot(store: Store) -> dict[str, list[tuple]]:
    """Every row of every table: 'exactly as before' is checked against this."""
    with store.engine.connect() as conn:
        return {
            table.name: sorted(
                (tuple(map(repr, row)) for row in conn.execute(select(table))), key=repr
            )
            for table in schema.metadata.sorted_tables
        }


@dataclass(frozen=True)
class Write:
    """A store method that writes: what it needs set up first, and the call."""

    right: Right
    setup: Callable[[Store], dict]
    call: Callable[[Store, dict, Actor], object]


def _nothing(store: Store) -> dict:
    return {}


def _dataset(store: Store) -> dict:
    return {"id": store.add(_pilots(), SETUP).dataset.id}


def _deleted(store: Store) -> dict:
    dataset_id = store.add(_pilots(), SETUP).dataset.id
    store.delete(dataset_id, SETUP)
    return {"id": dataset_id}


def _survey_with_answers(store: Store) -> dict:
    store.set_setting("survey.keep_answers", "on", SETUP)
    kept = store.add(_file("survey", RESPONSES, keep_answers=True), SETUP).dataset
    assert store.count_answers(kept.id) > 0
    return {"id": kept.id}


def _case(store: Store) -> dict:
    case_id = store.add(_file("case", CASE), SETUP).dataset.id
    return {"case": case_id, "figures": store.case_figures(case_id)}


def _scenario(store: Store) -> dict:
    made = _case(store)
    scenario = store.save_scenario("Base", made["case"], {}, made["figures"], SETUP)
    return {"id": scenario.id}


def _assigned(store: Store) -> dict:
    store.assign_role("someone@example.com", "editor", SETUP)
    return {}


WRITES: dict[str, Write] = {
    "add": Write(Right.SAVE, _nothing, lambda s, _, a: s.add(_pilots(), a)),
    "delete": Write(Right.DELETE, _dataset, lambda s, c, a: s.delete(c["id"], a)),
    "restore": Write(Right.RESTORE, _deleted, lambda s, c, a: s.restore(c["id"], a)),
    "delete_answers": Write(
        Right.ERASE_ANSWERS, _survey_with_answers, lambda s, c, a: s.delete_answers(c["id"], a)
    ),
    "save_scenario": Write(
        Right.SAVE,
        _case,
        lambda s, c, a: s.save_scenario(
            "Bold", c["case"], {"adoption_ceiling": 0.9}, c["figures"], a
        ),
    ),
    "delete_scenario": Write(
        Right.DELETE, _scenario, lambda s, c, a: s.delete_scenario(c["id"], a)
    ),
    "set_setting": Write(
        Right.CHANGE_SETTINGS,
        _nothing,
        lambda s, _, a: s.set_setting("survey.keep_answers", "on", a),
    ),
    "set_threshold": Write(
        Right.CHANGE_SETTINGS,
        _nothing,
        lambda s, _, a: s.set_setting("survey.min_group", "8", a),
    ),
    "assign_role": Write(
        Right.MANAGE_ROLES,
        _nothing,
        lambda s, _, a: s.assign_role("new@example.com", "admin", a),
    ),
    "remove_role": Write(
        Right.MANAGE_ROLES, _assigned, lambda s, _, a: s.remove_role("someone@example.com", a)
    ),
}

WRITING_METHODS = {
    "add", "delete", "restore", "delete_answers", "save_scenario", "delete_scenario",
    "set_setting", "assign_role", "remove_role",
}  # fmt: skip


def test_every_writing_method_of_the_store_is_checked_here():
    """A new method that writes must join WRITES: the public methods of the store that are
    not reads are exactly these."""
    reads = {
        "datasets", "dataset", "observations", "source_text", "case", "register", "survey",
        "impact",
        "count_answers", "scenarios", "scenario", "current_scenario", "history",
        "case_figures", "setting", "keep_answers", "min_group", "events", "roles",
        "assigned_role", "version", "close", "location", "dialect",
    }  # fmt: skip
    public = {name for name in dir(StoreClass) if not name.startswith("_")}
    assert public - reads == WRITING_METHODS
    assert {w for w in WRITES if w in WRITING_METHODS} == WRITING_METHODS


@pytest.fixture
def store(database_url: str):
    opened = Store(database_url)
    yield opened
    opened.close()


CASES = [
    (name, role)
    for name, write in WRITES.items()
    for role in Role
    if role.rank < least_role(write.right).rank
]


@pytest.fixture
def sqlite_store(tmp_path):
    """The refusal comes before any SQL, so one database shows it (the writes themselves
    run on both)."""
    opened = Store(f"sqlite:///{tmp_path / 'roles.sqlite3'}")
    yield opened
    opened.close()


@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{n}-{r.value}" for n, r in CASES])
def test_a_role_without_the_right_is_refused_and_nothing_changes(sqlite_store, name, role):
    store = sqlite_store
    write = WRITES[name]
    context = write.setup(store)
    before = _snapshot(store)
    who = Actor(f"{role.value}@example.com", role)
    with pytest.raises(Forbidden, match=f"needs the {least_role(write.right).value} role"):
        write.call(store, context, who)
    assert _snapshot(store) == before


@pytest.mark.parametrize("name", list(WRITES))
def test_the_least_role_with_the_right_may_and_the_history_says_who(store, name):
    write = WRITES[name]
    role = least_role(write.right)
    context = write.setup(store)
    who = Actor(f"{role.value}.person@example.com", role)
    write.call(store, context, who)
    assert store.events()[0].actor == who.name


def test_admins_may_do_everything(store):
    for name, write in WRITES.items():
        context = write.setup(store)
        write.call(store, context, Actor("root@example.com", Role.ADMIN))
        assert store.events()[0].actor == "root@example.com", name


def test_role_table(store):
    admin = Actor("admin@example.com", Role.ADMIN)
    assert store.roles() == [] and store.assigned_role("ann@example.com") is None
    made = store.assign_role(" Ann@Example.com ", "editor", admin)
    assert (made.email, made.role, made.assigned_by) == ("ann@example.com", Role.EDITOR,
                                                          "admin@example.com")  # fmt: skip
    assert store.assigned_role("ANN@example.com") is Role.EDITOR
    store.assign_role("ann@example.com", Role.ADMIN, admin)  # replaces
    assert [(r.email, r.role) for r in store.roles()] == [("ann@example.com", Role.ADMIN)]
    assert store.events()[0].detail == "ann@example.com is admin"
    store.remove_role("Ann@example.com", admin)
    assert store.roles() == [] and store.assigned_role("ann@example.com") is None
    with pytest.raises(NotFound):
        store.remove_role("ann@example.com", admin)
    assert store.assigned_role(None) is None and store.assigned_role("") is None


@pytest.mark.parametrize(
    ("email", "role", "reason"),
    [
        ("not-an-email", "viewer", "not an e-mail address"),
        ("", "viewer", "an e-mail address is needed"),
        ("a b@x.io", "viewer", "spaces"),
        ("ann@example.com", "owner", "'owner' is not viewer, editor or admin"),
    ],
)
def test_bad_role_assignments_are_refused(store, email, role, reason):
    before = _snapshot(store)
    with pytest.raises(StoreInputError, match=reason):
        store.assign_role(email, role, Actor("admin@example.com", Role.ADMIN))
    assert _snapshot(store) == before


def test_the_anonymity_threshold_is_a_checked_setting(store):
    admin = Actor("admin@example.com", Role.ADMIN)
    assert store.min_group() == 5
    store.set_setting("survey.min_group", " 7 ", admin)
    assert store.min_group() == 7 and store.setting("survey.min_group") == "7"
    for bad in ("2", "101", "seven", "5.5", "", "-5"):
        with pytest.raises(StoreInputError, match="whole number from 3 to 100"):
            store.set_setting("survey.min_group", bad, admin)
    with pytest.raises(StoreInputError, match="not on or off"):
        store.set_setting("survey.keep_answers", "yes", admin)
    assert store.min_group() == 7


def test_a_survey_scored_below_the_threshold_is_not_kept(store):
    admin = Actor("admin@example.com", Role.ADMIN)
    store.set_setting("survey.min_group", "6", admin)
    before = _snapshot(store)
    with pytest.raises(StoreInputError, match="threshold in force is 6"):
        store.add(_file("survey", RESPONSES, min_group=5), admin)
    assert _snapshot(store) == before
    kept = store.add(_file("survey", RESPONSES, min_group=6), admin).dataset
    assert store.survey(kept.id).report.min_group == 6


def test_raw_answers_are_kept_only_with_the_switch_on(store):
    """Even a caller that prepares the answers itself (not the dashboard, which asks the
    switch first) cannot keep them while the switch is off."""
    editor = Actor("ed@example.com", Role.EDITOR)
    before = _snapshot(store)
    with pytest.raises(StoreInputError, match="only when an admin has switched keeping them on"):
        store.add(_file("survey", RESPONSES, keep_answers=True), editor)
    assert _snapshot(store) == before
    kept = store.add(_file("survey", RESPONSES), editor).dataset  # aggregates only: fine
    assert store.count_answers(kept.id) == 0


def test_a_survey_claiming_a_threshold_it_was_not_scored_at_is_refused(store):
    from dataclasses import replace

    prepared = _file("survey", RESPONSES)  # scored at 5, the threshold
    forged = replace(prepared, meta={**prepared.meta, "min_group": 9})  # says 9
    with pytest.raises(StoreInputError, match="scored with groups of 5"):
        store.add(forged, SETUP)
    assert store.datasets() == []
    store.set_setting("survey.min_group", "9", SETUP)
    with pytest.raises(StoreInputError, match="scored with groups of 5"):
        store.add(forged, SETUP)  # not what it says of itself: what its report holds


def test_a_kept_survey_is_not_shown_once_the_threshold_is_raised_above_it(store):
    kept = store.add(_file("survey", RESPONSES), SETUP).dataset
    assert store.survey(kept.id).report.min_group == 5
    store.set_setting("survey.min_group", "10", SETUP)
    with pytest.raises(BelowThreshold, match="the anonymity threshold is now 10"):
        store.survey(kept.id)
    store.set_setting("survey.min_group", "5", SETUP)
    assert store.survey(kept.id).report.min_group == 5


def test_a_survey_kept_before_a_raised_threshold_is_not_kept_again(store):
    """The same file read the same way is not 'already kept' once the threshold has risen
    above it: it is refused like any survey scored below the threshold."""
    store.add(_file("survey", RESPONSES), SETUP)
    store.set_setting("survey.min_group", "8", SETUP)
    with pytest.raises(StoreInputError, match="threshold in force is 8"):
        store.add(_file("survey", RESPONSES), SETUP)


def test_the_history_does_not_hold_a_surveys_count_of_respondents(store):
    kept = store.add(_file("survey", RESPONSES), SETUP).dataset
    assert store.events()[0].detail == "imported survey survey_responses.csv"
    assert str(kept.rows) not in store.events()[0].detail
