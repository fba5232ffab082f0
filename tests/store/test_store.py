"""The store, on SQLite and on PostgreSQL: migrations, all-or-nothing imports, provenance,
duplicates, soft delete and restore, scenarios and history, settings, and concurrent
writers (two processes; several sessions of one app)."""

from __future__ import annotations

import json
import multiprocessing
import threading
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, inspect, select

from roi.access import Actor, Role
from roi.culture.instrument import read_items, read_responses
from roi.culture.report import report_from_record, report_record, survey_report
from roi.evidence.pilots import PilotFileError, read_observations
from roi.io.problems import CaseError
from roi.store import NotFound, Store, StoreInputError, prepare, schema
from roi.store import core as store_core
from roi.store.migrations import LATEST, MIGRATIONS, Migration, current_version, migrate

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"
PILOTS = SAMPLE / "pilot_observations.csv"
CASE = SAMPLE / "cases" / "support_chatbot.yaml"
REGISTER = SAMPLE / "use_cases.csv"
ITEMS = SAMPLE / "survey" / "survey_items.csv"
RESPONSES = SAMPLE / "survey" / "survey_responses.csv"
INVITATIONS = SAMPLE / "survey" / "survey_invitations.csv"
ADOPTION = SAMPLE / "adoption" / "adoption.csv"


def _prepare(kind: str, path: Path, **options):
    if kind == "survey":
        options.setdefault("items", (ITEMS.read_bytes(), ITEMS.name))
    return prepare(kind, path.read_bytes(), str(path), **options)


def _counts(store: Store) -> dict[str, int]:
    """Rows in every table: what 'the store exactly as before' is checked against."""
    with store.engine.connect() as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in schema.metadata.sorted_tables
        }


def _pilot_file(seed: int, rows: int = 40) -> bytes:
    lines = ["use_case_id,metric,group,unit_id,value"]
    for i in range(rows):
        group = "pilot" if i % 2 else "baseline"
        lines.append(f"UC-{seed:03d},task_minutes,{group},u{i},{10 + (i * 7 + seed) % 13}")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def store(database_url: str):
    opened = Store(database_url)
    yield opened
    opened.close()


# Migrations -------------------------------------------------------------------------------


def test_migrations_build_the_schema_the_code_describes(store: Store):
    assert store.version() == LATEST
    inspector = inspect(store.engine)
    for table in schema.metadata.sorted_tables:
        columns = {c["name"] for c in inspector.get_columns(table.name)}
        assert columns == {c.name for c in table.columns}, table.name


def test_migrate_twice_applies_nothing_the_second_time(database_url):
    store = Store(database_url)
    assert migrate(store.engine) == []
    with store.engine.connect() as conn:
        versions = conn.execute(select(schema.migrations_table.c.version)).scalars().all()
    assert sorted(versions) == [m.version for m in MIGRATIONS]
    store.close()


def test_upgrade_from_version_1_keeps_the_data(database_url):
    first = Store(database_url, migrate_now=False)
    migrate(first.engine, MIGRATIONS[:1])
    assert current_version(first.engine) == 1
    kept = first.add(_prepare("pilots", PILOTS), Actor("ana", Role.ADMIN))
    assert not inspect(first.engine).has_table("scenarios")
    first.close()
    upgraded = Store(database_url)  # start-up applies the later migrations
    assert upgraded.version() == LATEST
    assert [d.id for d in upgraded.datasets()] == [kept.dataset.id]
    assert len(upgraded.observations(kept.dataset.id)) == kept.dataset.rows
    upgraded.close()


def test_a_failing_migration_leaves_the_database_at_the_version_before(database_url):
    from sqlalchemy import Column, Integer, MetaData, Table

    store = Store(database_url)
    extra = Table("half_done", MetaData(), Column("id", Integer, primary_key=True))

    def broken(conn):
        extra.create(conn)
        raise RuntimeError("injected failure in the next migration")

    with pytest.raises(RuntimeError, match="injected"):
        migrate(store.engine, (*MIGRATIONS, Migration(LATEST + 1, "broken", broken)))
    assert store.version() == LATEST
    assert not inspect(store.engine).has_table("half_done")
    store.close()


def _migrate_in_process(url: str, queue) -> None:
    try:
        store = Store(url)
        queue.put(("ok", store.version()))
    except Exception as error:  # reported to the test, which fails
        queue.put(("error", repr(error)))


def test_two_processes_starting_at_once_migrate_once(database_url):
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    processes = [
        context.Process(target=_migrate_in_process, args=(database_url, queue)) for _ in range(2)
    ]
    for process in processes:
        process.start()
    results = [queue.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    assert results == [("ok", LATEST), ("ok", LATEST)]
    store = Store(database_url, migrate_now=False)
    with store.engine.connect() as conn:
        versions = conn.execute(select(schema.migrations_table.c.version)).scalars().all()
    assert sorted(versions) == [m.version for m in MIGRATIONS]
    store.close()


# Imports ----------------------------------------------------------------------------------


def test_each_kind_is_kept_with_its_provenance(store: Store):
    kept = {
        "pilots": store.add(_prepare("pilots", PILOTS), Actor("ana", Role.ADMIN)),
        "adoption": store.add(_prepare("adoption", ADOPTION), Actor("ana", Role.ADMIN)),
        "survey": store.add(_prepare("survey", RESPONSES), Actor("ana", Role.ADMIN)),
        "use-cases": store.add(_prepare("use-cases", REGISTER), Actor("ana", Role.ADMIN)),
        "case": store.add(_prepare("case", CASE), Actor("ana", Role.ADMIN)),
    }
    import hashlib

    for kind, path in {
        "pilots": PILOTS,
        "adoption": ADOPTION,
        "survey": RESPONSES,
        "use-cases": REGISTER,
        "case": CASE,
    }.items():
        dataset = kept[kind].dataset
        assert kept[kind].created
        assert dataset.kind == kind
        assert dataset.source_file == path.name
        assert dataset.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
        assert dataset.imported_by == "ana"
        assert dataset.imported_at.tzinfo is not None
        assert dataset.report["valid"] is True
    listed = [d.to_dict() for d in store.datasets()]
    assert [d["kind"] for d in listed] == ["case", "use-cases", "survey", "adoption", "pilots"]
    assert set(listed[0]) == {
        "id", "kind", "name", "source_file", "sha256", "imported_at", "imported_by", "rows",
    }  # fmt: skip
    assert kept["case"].dataset.name == "Customer support: FAQ chatbot"
    assert kept["use-cases"].dataset.rows == 19
    events = store.events()
    assert [e.action for e in events] == ["import"] * 5
    assert all(e.actor == "ana" for e in events)


def test_pilot_observations_come_back_as_they_were_read(store: Store):
    dataset = store.add(_prepare("pilots", PILOTS), Actor("ana", Role.ADMIN)).dataset
    expected = read_observations(PILOTS.read_bytes(), str(PILOTS))
    kept = store.observations(dataset.id)
    pd.testing.assert_frame_equal(
        kept, expected[list(kept.columns)].reset_index(drop=True), check_dtype=False
    )
    assert dataset.rows == len(expected)


def test_awkward_text_survives_the_bulk_load(store: Store):
    raw = (
        'use_case_id,metric,group,unit_id,value\n"UC\t1\\x",task_minutes,baseline,"a\nb",1\n'
        'UC 2,task_minutes,pilot,"q""uote,comma",2\nUC 3,task_minutes,pilot,é€,3\n'
    ).encode()
    dataset = store.add(prepare("pilots", raw, "awkward.csv"), Actor("ana", Role.ADMIN)).dataset
    kept = store.observations(dataset.id)
    assert kept["use_case_id"].tolist() == ["UC\t1\\x", "UC 2", "UC 3"]
    assert kept["unit_id"].tolist() == ["a\nb", 'q"uote,comma', "é€"]


def test_the_same_file_twice_is_kept_once(store: Store):
    first = store.add(_prepare("pilots", PILOTS), Actor("ana", Role.ADMIN))
    again = store.add(_prepare("pilots", PILOTS), Actor("bo", Role.ADMIN))
    assert first.created and not again.created
    assert again.dataset.id == first.dataset.id
    assert len(store.datasets()) == 1
    assert len(store.events()) == 1


def test_a_rejected_file_leaves_the_store_as_it_was(store: Store):
    store.add(_prepare("case", CASE), Actor("ana", Role.ADMIN))
    before = _counts(store)
    broken = b"use_case_id,metric,group,unit_id,value\nUC-1,task_minutes,pilot,u1,abc\n"
    with pytest.raises(PilotFileError, match="line 2, column value"):
        store.add(prepare("pilots", broken, "broken.csv"), Actor("ana", Role.ADMIN))
    with pytest.raises(CaseError):
        store.add(prepare("case", b"name: [", "broken.yaml"), Actor("ana", Role.ADMIN))
    with pytest.raises(StoreInputError, match="unknown kind"):
        prepare("nonsense", b"x", "x.csv")
    with pytest.raises(StoreInputError, match="instrument"):
        prepare("survey", RESPONSES.read_bytes(), str(RESPONSES))
    assert _counts(store) == before


def test_a_failure_part_way_through_an_import_leaves_the_store_as_it_was(store, monkeypatch):
    store.add(_prepare("case", CASE), Actor("ana", Role.ADMIN))
    before = _counts(store)
    real = store_core.write_rows

    def half_then_fail(conn, table, frame, dataset_id):
        real(conn, table, frame.iloc[: len(frame) // 2], dataset_id)
        assert conn.execute(select(func.count()).select_from(table)).scalar_one() > 0
        raise OSError("injected: the connection dropped mid-import")

    monkeypatch.setattr(store_core, "write_rows", half_then_fail)
    with pytest.raises(OSError, match="injected"):
        store.add(_prepare("pilots", PILOTS), Actor("ana", Role.ADMIN))
    assert _counts(store) == before
    monkeypatch.setattr(store_core, "write_rows", real)
    retried = store.add(
        _prepare("pilots", PILOTS), Actor("ana", Role.ADMIN)
    )  # nothing left behind blocks it
    assert retried.created and len(store.observations(retried.dataset.id)) == 3080


# Delete and restore -----------------------------------------------------------------------


def test_delete_keeps_history_and_restore_undoes_it(store: Store):
    dataset = store.add(_prepare("pilots", PILOTS), Actor("ana", Role.ADMIN)).dataset
    deleted = store.delete(dataset.id, Actor("bo", Role.ADMIN))
    assert deleted.deleted_by == "bo" and deleted.deleted_at is not None
    assert store.datasets() == []
    assert [d.id for d in store.datasets(include_deleted=True)] == [dataset.id]
    assert len(store.observations(dataset.id)) == 3080  # the rows are kept
    with pytest.raises(NotFound, match="already deleted"):
        store.delete(dataset.id, Actor("bo", Role.ADMIN))
    restored = store.restore(dataset.id, Actor("cy", Role.ADMIN))
    assert restored.live and restored.deleted_by is None
    assert [d.id for d in store.datasets()] == [dataset.id]
    with pytest.raises(NotFound, match="not deleted"):
        store.restore(dataset.id, Actor("cy", Role.ADMIN))
    with pytest.raises(NotFound, match="no dataset 999"):
        store.delete(999, Actor("cy", Role.ADMIN))
    assert [(e.action, e.actor) for e in store.events()][:2] == [
        ("restore", "cy"),
        ("delete", "bo"),
    ]


def test_a_deleted_file_imported_again_is_new_and_blocks_restoring_the_old(store: Store):
    old = store.add(_prepare("pilots", PILOTS), Actor("ana", Role.ADMIN)).dataset
    store.delete(old.id, Actor("ana", Role.ADMIN))
    new = store.add(_prepare("pilots", PILOTS), Actor("ana", Role.ADMIN))
    assert new.created and new.dataset.id != old.id
    with pytest.raises(NotFound, match="kept again"):
        store.restore(old.id, Actor("ana", Role.ADMIN))
    assert not store.dataset(old.id).live


# Kinds ------------------------------------------------------------------------------------


def test_a_survey_keeps_its_aggregates_and_no_answers_by_default(store: Store):
    dataset = store.add(_prepare("survey", RESPONSES), Actor("ana", Role.ADMIN)).dataset
    instrument = read_items(ITEMS.read_bytes(), ITEMS.name)
    expected = survey_report(read_responses(RESPONSES.read_bytes(), "r", instrument), instrument)
    stored = store.survey(dataset.id)
    assert stored.report == expected
    assert not stored.answers_kept
    assert store.count_answers(dataset.id) == 0
    with store.engine.connect() as conn:
        content = conn.execute(
            select(schema.datasets.c.content).where(schema.datasets.c.id == dataset.id)
        ).scalar_one()
    assert "R0001" not in content  # no respondent id is kept with the aggregates


def test_survey_answers_are_kept_only_on_opt_in_and_can_be_erased(store: Store):
    assert not store.keep_answers()
    store.set_setting("survey.keep_answers", "on", Actor("admin", Role.ADMIN))
    assert store.keep_answers()
    dataset = store.add(
        _prepare("survey", RESPONSES, keep_answers=True), Actor("ana", Role.ADMIN)
    ).dataset
    assert store.survey(dataset.id).answers_kept
    kept = store.count_answers(dataset.id)
    responses = read_responses(
        RESPONSES.read_bytes(), "r", read_items(ITEMS.read_bytes(), ITEMS.name)
    )
    assert kept == int(
        responses.drop(columns=["respondent_id", "wave", "team"]).notna().sum().sum()
    )
    assert store.delete_answers(dataset.id, Actor("admin", Role.ADMIN)) == kept
    assert store.count_answers(dataset.id) == 0
    assert not store.survey(dataset.id).answers_kept
    assert store.events()[0].action == "delete_answers"


def test_survey_report_round_trips_through_json():
    instrument = read_items(ITEMS.read_bytes(), ITEMS.name)
    responses = read_responses(RESPONSES.read_bytes(), "r", instrument)
    from roi.culture.instrument import read_invitations

    invited = read_invitations(INVITATIONS.read_bytes(), "i", responses)
    report = survey_report(responses, instrument, 5, invited)
    assert report.participation and report.drivers is not None
    assert report_from_record(json.loads(json.dumps(report_record(report)))) == report


def test_a_register_comes_back_with_its_cases(store: Store, tmp_path):
    dataset = store.add(_prepare("use-cases", REGISTER), Actor("ana", Role.ADMIN)).dataset
    register = store.register(dataset.id)
    assert len(register.use_cases) == 19
    assert set(register.cases) == {
        u.use_case_id for u in register.use_cases if u.case_file is not None
    }


def test_a_case_comes_back_and_records_its_figures(store: Store):
    dataset = store.add(_prepare("case", CASE), Actor("ana", Role.ADMIN)).dataset
    case = store.case(dataset.id)
    assert case.name == dataset.name
    history = store.history(case.name)
    assert len(history) == 1 and history[0].scenario_id is None
    assert history[0].npv == pytest.approx(store.case_figures(dataset.id).npv)
    with pytest.raises(NotFound, match="not pilots"):
        store.observations(dataset.id)


# Scenarios --------------------------------------------------------------------------------


def test_scenarios_are_saved_listed_reopened_replaced_and_recorded(store: Store):
    case = store.add(_prepare("case", CASE), Actor("ana", Role.ADMIN)).dataset
    figures = store.case_figures(case.id)
    low = store.save_scenario(
        "Low adoption", case.id, {"adoption_ceiling": 0.3}, figures, Actor("ana", Role.ADMIN)
    )
    high = store.save_scenario(
        " High ", case.id, {"adoption_ceiling": 0.9}, figures, Actor("bo", Role.ADMIN)
    )
    assert high.name == "High"
    assert [s.name for s in store.scenarios()] == ["High", "Low adoption"]
    reopened = store.scenario(low.id)
    assert reopened.levers == {"adoption_ceiling": 0.3}
    assert reopened.case_name == case.name and reopened.created_by == "ana"
    again = store.save_scenario(
        "Low adoption", case.id, {"adoption_ceiling": 0.4}, figures, Actor("cy", Role.ADMIN)
    )
    assert again.id != low.id
    assert [s.id for s in store.scenarios()] == [again.id, high.id]
    assert store.scenario(low.id).deleted_by == "cy"
    history = store.history(case.name)
    assert [h.scenario_name for h in history] == [None, "Low adoption", "High", "Low adoption"]
    store.delete_scenario(high.id, Actor("ana", Role.ADMIN))
    assert [s.id for s in store.scenarios()] == [again.id]
    with pytest.raises(StoreInputError, match="blank"):
        store.save_scenario("  ", case.id, {}, figures, Actor("ana", Role.ADMIN))
    store.delete(case.id, Actor("ana", Role.ADMIN))
    assert store.scenarios() == []  # a scenario of a deleted case is not offered


def test_settings_have_defaults_and_record_who_changed_them(store: Store):
    assert store.setting("survey.keep_answers") == "off"
    store.set_setting("survey.keep_answers", "on", Actor("admin", Role.ADMIN))
    store.set_setting("survey.keep_answers", "off", Actor("admin2", Role.ADMIN))
    assert store.setting("survey.keep_answers") == "off"
    assert [e.actor for e in store.events()][:2] == ["admin2", "admin"]
    with pytest.raises(NotFound):
        store.setting("nope")


# Concurrency ------------------------------------------------------------------------------


def _import_many(url: str, worker: int, count: int, queue) -> None:
    try:
        store = Store(url)
        for n in range(count):
            store.add(
                prepare("pilots", _pilot_file(worker * 1000 + n), f"w{worker}-{n}.csv"),
                Actor(f"w{worker}", Role.ADMIN),
            )
            store.add(
                prepare("pilots", _pilot_file(999_999), "shared.csv"),
                Actor(f"w{worker}", Role.ADMIN),
            )
        queue.put(("ok", worker))
    except Exception as error:
        queue.put(("error", repr(error)))


def test_two_processes_writing_at_once_lose_nothing(database_url):
    Store(database_url).close()
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    count = 15
    processes = [
        context.Process(target=_import_many, args=(database_url, worker, count, queue))
        for worker in (1, 2)
    ]
    for process in processes:
        process.start()
    results = sorted(queue.get(timeout=300) for _ in processes)
    for process in processes:
        process.join(timeout=60)
    assert results == [("ok", 1), ("ok", 2)]
    store = Store(database_url)
    names = sorted(d.source_file for d in store.datasets())
    assert len(names) == 2 * count + 1
    assert names.count("shared.csv") == 1
    assert _counts(store)["pilot_observations"] == (2 * count + 1) * 40
    store.close()


def test_many_sessions_of_one_app_write_and_read_without_lock_errors(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'busy.sqlite3'}")
    errors: list[BaseException] = []

    def session(worker: int) -> None:
        try:
            for n in range(6):
                store.add(
                    prepare("pilots", _pilot_file(worker * 100 + n), f"{worker}-{n}.csv"),
                    Actor("u", Role.ADMIN),
                )
                store.datasets()
                store.set_setting(
                    "survey.keep_answers", "on" if n % 2 else "off", Actor("u", Role.ADMIN)
                )
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=session, args=(w,)) for w in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(store.datasets()) == 36
    store.close()


# Review findings ---------------------------------------------------------------------------


def test_the_same_file_read_another_way_is_a_new_dataset(store: Store, tmp_path):
    from roi.evidence.pilots import parse_mapping

    raw = (
        b"case,metric,group,unit_id,value\n"
        b"UC-1,task_minutes,baseline,u1,1\nUC-1,task_minutes,pilot,u2,2\n"
    )
    first = parse_mapping({"columns": {"use_case_id": "case"}})
    kept = store.add(prepare("pilots", raw, "p.csv", mapping=first), Actor("ana", Role.ADMIN))
    again = store.add(prepare("pilots", raw, "p.csv", mapping=first), Actor("ana", Role.ADMIN))
    assert not again.created
    other = parse_mapping({"columns": {"use_case_id": "case"}, "constants": {"period": "after"}})
    changed = store.add(prepare("pilots", raw, "p.csv", mapping=other), Actor("ana", Role.ADMIN))
    assert changed.created and changed.dataset.sha256 == kept.dataset.sha256
    # A register whose case file changed under it is new too.
    folder = tmp_path / "register"
    (folder / "cases").mkdir(parents=True)
    case_text = (SAMPLE / "cases" / "lead_scoring.yaml").read_text(encoding="utf-8")
    (folder / "cases" / "x.yaml").write_text(case_text, encoding="utf-8")
    register = folder / "use_cases.csv"
    lines = REGISTER.read_text(encoding="utf-8").splitlines()
    header = lines[0]
    row = next(line for line in lines[1:] if "cases/lead_scoring.yaml" in line)
    register.write_text(f"{header}\n{row.replace('cases/lead_scoring.yaml', 'cases/x.yaml')}\n")
    one = store.add(
        prepare("use-cases", register.read_bytes(), str(register)), Actor("ana", Role.ADMIN)
    )
    (folder / "cases" / "x.yaml").write_text(
        case_text.replace("discount_rate: 0.10", "discount_rate: 0.12"), encoding="utf-8"
    )
    two = store.add(
        prepare("use-cases", register.read_bytes(), str(register)), Actor("ana", Role.ADMIN)
    )
    assert one.created and two.created and one.dataset.sha256 == two.dataset.sha256
    assert store.register(two.dataset.id).cases != {}


def test_a_register_naming_case_files_outside_its_folder_is_refused(tmp_path):
    from roi.portfolio.register import RegisterError

    folder = tmp_path / "inner"
    folder.mkdir()
    lines = REGISTER.read_text(encoding="utf-8").splitlines()
    row = next(line for line in lines[1:] if "cases/lead_scoring.yaml" in line)
    outside = row.replace("cases/lead_scoring.yaml", "../lead.yaml")
    (tmp_path / "lead.yaml").write_bytes((SAMPLE / "cases" / "lead_scoring.yaml").read_bytes())
    register = folder / "use_cases.csv"
    register.write_text(f"{lines[0]}\n{outside}\n", encoding="utf-8")
    with pytest.raises(RegisterError, match="inside the case folder"):
        prepare("use-cases", register.read_bytes(), str(register))


def test_a_survey_counts_only_the_respondents_its_report_shows(store: Store):
    instrument = read_items(ITEMS.read_bytes(), ITEMS.name)
    responses = read_responses(RESPONSES.read_bytes(), "r", instrument)
    names = [i.item for i in instrument.items]
    small = responses[responses["wave"] == responses["wave"].iloc[0]].head(3).copy()
    small["wave"] = "2099-Q9"  # a wave of three: its totals are hidden
    frame = pd.concat([responses, small])
    raw = frame[["respondent_id", "wave", "team", *names]].to_csv(index=False).encode()
    dataset = store.add(
        prepare("survey", raw, "s.csv", items=(ITEMS.read_bytes(), ITEMS.name)),
        Actor("ana", Role.ADMIN),
    ).dataset
    assert dataset.rows == store.survey(dataset.id).report.respondents


def test_long_and_unusual_text_fits_every_column(store: Store):
    long_id = "U" * 400
    raw = (
        f"use_case_id,metric,group,unit_id,value\n{long_id},task_minutes,baseline,{'x' * 1000},1\n"
        f"{long_id},task_minutes,pilot,€✓😀,2\n"
    ).encode()
    dataset = store.add(prepare("pilots", raw, "long.csv"), Actor("ana", Role.ADMIN)).dataset
    kept = store.observations(dataset.id)
    assert kept["use_case_id"].tolist() == [long_id, long_id]
    assert kept["unit_id"].tolist() == ["x" * 1000, "€✓😀"]


def test_a_nul_byte_anywhere_is_refused_before_anything_is_kept():
    raw = b"use_case_id,metric,group,unit_id,value\n" + b"UC,task_minutes,pilot,u,1\n" * 900
    raw += b"UC,task_minutes,pilot,u\x00x,1\n"
    with pytest.raises(PilotFileError, match="not a text"):
        prepare("pilots", raw, "nul.csv")


def test_a_driver_error_while_writing_rows_is_a_database_failure_and_keeps_nothing(
    postgres_url,
):
    from roi.store import DatabaseFailure

    store = Store(postgres_url)
    prepared = prepare("pilots", PILOTS.read_bytes(), "p.csv")
    broken = prepared.observations.copy()
    broken.loc[5, "unit_id"] = "bad\x00byte"  # PostgreSQL text cannot hold NUL
    before = _counts(store)
    with pytest.raises(DatabaseFailure, match="rows could not be written"):
        store.add(replace(prepared, observations=broken), Actor("ana", Role.ADMIN))
    assert _counts(store) == before
    store.close()


def test_times_are_utc_whatever_the_database_time_zone(postgres_url):
    from datetime import UTC, datetime

    from sqlalchemy.engine import make_url

    name = make_url(postgres_url).database
    with Store(postgres_url).engine.connect() as conn:
        conn.exec_driver_sql("COMMIT")
        conn.exec_driver_sql(f"ALTER DATABASE {name} SET timezone = 'America/New_York'")
    store = Store(postgres_url)
    dataset = store.add(_prepare("case", CASE), Actor("ana", Role.ADMIN)).dataset
    assert dataset.imported_at.utcoffset().total_seconds() == 0
    assert abs((datetime.now(UTC) - dataset.imported_at).total_seconds()) < 60
    store.close()


def test_ids_beyond_the_database_range_are_not_found(store: Store):
    for bad in (0, -1, 2**31, 2**63):
        with pytest.raises(NotFound):
            store.dataset(bad)
        with pytest.raises(NotFound):
            store.delete(bad, Actor("ana", Role.ADMIN))
        with pytest.raises(NotFound):
            store.scenario(bad)


def test_an_up_to_date_store_opens_and_reads_while_another_session_writes(tmp_path):
    import sqlite3
    import time

    url = f"sqlite:///{tmp_path / 'held.sqlite3'}"
    Store(url).close()
    holder = sqlite3.connect(tmp_path / "held.sqlite3", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # a long import holds the write lock
    try:
        start = time.perf_counter()
        store = Store(url)
        assert store.datasets() == []
        assert time.perf_counter() - start < 5
        store.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_schema_newer_than_the_code_is_refused(database_url):
    from datetime import UTC, datetime

    from roi.store import DatabaseFailure

    store = Store(database_url)
    with store.engine.begin() as conn:
        conn.execute(
            schema.migrations_table.insert().values(
                version=LATEST + 1, name="from the future", applied_at=datetime.now(UTC)
            )
        )
    store.close()
    with pytest.raises(DatabaseFailure, match="newer than this version"):
        Store(database_url)


def test_unusable_urls_fail_with_a_reason_and_no_password():
    from roi.store import DatabaseFailure

    for url, reason in (
        ("not a url", "URL cannot be read"),
        ("mysql://u:pw@127.0.0.1/x", "not supported"),
        ("sqlite://", "in-memory"),
    ):
        with pytest.raises(DatabaseFailure, match=reason) as caught:
            Store(url)
        assert "pw" not in str(caught.value)


def _save_same_name(url: str, worker: int, queue) -> None:
    try:
        store = Store(url)
        case_id = store.datasets("case")[0].id
        figures = store.case_figures(case_id)
        for n in range(20):
            store.save_scenario(
                "Shared", case_id, {"n": str(n)}, figures, Actor(f"w{worker}", Role.ADMIN)
            )
        queue.put(("ok", worker))
    except Exception as error:
        queue.put(("error", repr(error)))


def test_processes_saving_the_same_scenario_name_at_once_all_succeed(postgres_url):
    store = Store(postgres_url)
    store.add(_prepare("case", CASE), Actor("ana", Role.ADMIN))
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    processes = [
        context.Process(target=_save_same_name, args=(postgres_url, w, queue)) for w in (1, 2, 3)
    ]
    for process in processes:
        process.start()
    results = sorted(queue.get(timeout=300) for _ in processes)
    for process in processes:
        process.join(timeout=60)
    assert results == [("ok", 1), ("ok", 2), ("ok", 3)]
    live = [s for s in store.scenarios() if s.name == "Shared"]
    assert len(live) == 1
    assert len(store.scenarios(include_deleted=True)) == 60
    store.close()


def test_a_replaced_scenario_leads_to_its_successor_a_deleted_one_to_nothing(store: Store):
    case = store.add(_prepare("case", CASE), Actor("ana", Role.ADMIN)).dataset
    figures = store.case_figures(case.id)
    first = store.save_scenario(
        "Plan", case.id, {"ceiling": "0.3"}, figures, Actor("ana", Role.ADMIN)
    )
    second = store.save_scenario(
        "Plan", case.id, {"ceiling": "0.4"}, figures, Actor("bo", Role.ADMIN)
    )
    third = store.save_scenario(
        "Plan", case.id, {"ceiling": "0.5"}, figures, Actor("cy", Role.ADMIN)
    )
    assert store.current_scenario(first.id).id == third.id
    assert store.current_scenario(second.id).id == third.id
    store.delete_scenario(third.id, Actor("cy", Role.ADMIN))
    assert store.current_scenario(first.id) is None
    later = store.save_scenario(
        "Plan", case.id, {"ceiling": "0.9"}, figures, Actor("dee", Role.ADMIN)
    )
    assert store.current_scenario(first.id) is None  # a new "Plan" is not its successor
    assert store.current_scenario(later.id).id == later.id
    with pytest.raises(StoreInputError, match="control characters"):
        store.save_scenario("Plan\x00", case.id, {}, figures, Actor("ana", Role.ADMIN))


def test_a_nul_byte_in_a_case_file_is_a_file_problem():
    with pytest.raises(CaseError, match="NUL byte"):
        prepare("case", b"name: Lead\x00scoring\n", "nul.yaml")


def test_options_given_in_a_postgresql_url_are_kept(postgres_url):
    with Store(postgres_url).engine.connect() as conn:
        conn.exec_driver_sql("CREATE SCHEMA app")
        conn.commit()
    url = postgres_url + "?options=-csearch_path%3Dapp"
    store = Store(url)
    with store.engine.connect() as conn:
        tables = (
            conn.exec_driver_sql(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'app'"
            )
            .scalars()
            .all()
        )
        zone = conn.exec_driver_sql("SHOW timezone").scalar_one()
    assert "datasets" in tables and zone == "UTC"
    store.close()
