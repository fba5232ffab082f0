"""Issue 24: a measured impact kept in the store, on SQLite and PostgreSQL: its aggregates
only (no person id, hashed or not, and no per-person value), read back equal, at the
anonymity threshold in force; a rejected file keeps nothing; ``db import impact``."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from roi.access import Actor, Role
from roi.cli import main
from roi.impact.files import ImpactFileError, read_metrics, read_outcomes, read_usage
from roi.impact.panel import join
from roi.impact.report import impact_report
from roi.store import Store, StoreInputError, prepare, schema
from roi.store.records import BelowThreshold

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data" / "impact"
USAGE, OUTCOMES, METRICS = (SAMPLE / f"{n}.csv" for n in ("usage", "outcomes", "metrics"))
ADMIN = Actor("admin@example.com", Role.ADMIN)


@pytest.fixture
def store(database_url: str):
    opened = Store(database_url)
    yield opened
    opened.close()


@functools.cache  # a report takes seconds: each reading is prepared once per run
def _kept(options: tuple) -> object:
    return prepare(
        "impact", USAGE.read_bytes(), str(USAGE), outcomes=(OUTCOMES.read_bytes(), "outcomes.csv"),
        metrics=(METRICS.read_bytes(), "metrics.csv"), **dict(options),
    )  # fmt: skip


def kept(**options):
    return _kept(tuple(sorted(options.items())))


def rows(store: Store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(schema.datasets)).scalar_one()


def test_the_aggregates_are_kept_and_read_back_equal_without_a_person(store):
    dataset = store.add(kept(), ADMIN).dataset
    assert dataset.kind == "impact" and dataset.rows == 400  # people
    expected = impact_report(
        join(read_usage(USAGE.read_bytes(), "u"), read_outcomes(OUTCOMES.read_bytes(), "o")),
        read_metrics(METRICS.read_bytes(), "m"),
    )
    assert store.impact(dataset.id) == expected
    with store.engine.connect() as conn:
        content = conn.execute(
            select(schema.datasets.c.content).where(schema.datasets.c.id == dataset.id)
        ).scalar_one()
    assert "@example.com" not in content and "dev0001" not in content
    assert store.add(kept(), ADMIN).created is False  # the same files read the same way


def test_another_heavy_bar_or_hashing_is_another_dataset(store):
    first = store.add(kept(), ADMIN).dataset
    second = store.add(kept(heavy_share=0.6), ADMIN).dataset
    third = store.add(kept(hash_ids=True), ADMIN).dataset
    assert len({first.id, second.id, third.id}) == 3
    assert store.impact(second.id).heavy_share == 0.6


def test_a_rejected_file_or_a_lower_threshold_keeps_nothing(store):
    bad = b"person_id,period,active_days\nana@example.com,2026-W02,-1\n"
    with pytest.raises(ImpactFileError):
        prepare("impact", bad, "usage.csv", outcomes=(OUTCOMES.read_bytes(), "o.csv"))
    with pytest.raises(StoreInputError, match="needs its outcomes file"):
        prepare("impact", USAGE.read_bytes(), "usage.csv")
    with pytest.raises(StoreInputError, match="the anonymity threshold in force is 5"):
        store.add(kept(min_group=3), ADMIN)
    assert rows(store) == 0


def test_a_kept_impact_is_not_shown_once_the_threshold_is_raised_above_it(store):
    dataset = store.add(kept(), ADMIN).dataset
    store.set_setting("survey.min_group", "10", ADMIN)
    with pytest.raises(BelowThreshold, match="the anonymity threshold is now 10"):
        store.impact(dataset.id)
    assert not store.dataset(dataset.id).shown_at(10)


def test_db_import_impact(capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 'impact.sqlite3'}"
    base = ["db", "import", "impact", str(USAGE), "--database-url", url, "--user", "ana"]
    assert main([*base[:4], "--database-url", url]) == 2
    assert "--outcomes FILE (outcomes.csv) is required" in capsys.readouterr().err
    code = main([*base, "--outcomes", str(OUTCOMES), "--metrics", str(METRICS), "--hash-ids",
                 "--json"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0 and json.loads(out)["dataset"]["kind"] == "impact"
    with pytest.raises(SystemExit) as refused:
        main([*base, "--outcomes", str(OUTCOMES), "--heavy-share", "1.5"])
    assert refused.value.code == 2
    assert "must be a number above 0 and at most 1" in capsys.readouterr().err
