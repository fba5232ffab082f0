"""``python -m roi db``: import, list, delete, restore and migrate, on SQLite and PostgreSQL;
every broken file in the corpus exits 2 and stores nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from roi.cli import main
from roi.store import Store
from roi.store.migrations import LATEST, MIGRATIONS

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"
DATA = ROOT / "tests" / "data"


def run(capsys, url: str, *args: str) -> tuple[int, str, str]:
    code = main(["db", *args[:1], *args[1:], "--database-url", url, "--user", "ana"])
    out, err = capsys.readouterr()
    return code, out, err


def listed(capsys, url: str, *extra: str) -> list[dict]:
    code, out, _ = run(capsys, url, "list", "--json", *extra)
    assert code == 0
    return json.loads(out)["datasets"]


def test_import_each_kind_then_list(capsys, database_url):
    imports = [
        ("pilots", SAMPLE / "pilot_observations.csv"),
        ("adoption", SAMPLE / "adoption" / "adoption.csv"),
        ("use-cases", SAMPLE / "use_cases.csv"),
        ("case", SAMPLE / "cases" / "lead_scoring.yaml"),
    ]
    for kind, path in imports:
        code, out, err = run(capsys, database_url, "import", kind, str(path))
        assert code == 0, err
        assert out.startswith(f"Stored {kind} {path.name} as dataset ")
    survey = SAMPLE / "survey"
    code, out, err = run(
        capsys, database_url, "import", "survey", str(survey / "survey_responses.csv"),
        "--items", str(survey / "survey_items.csv"),
        "--invited", str(survey / "survey_invitations.csv"),
    )  # fmt: skip
    assert code == 0, err
    records = listed(capsys, database_url)
    assert [r["kind"] for r in records] == ["survey", "case", "use-cases", "adoption", "pilots"]
    for record in records:
        assert set(record) == {
            "id", "kind", "name", "sha256", "imported_at", "imported_by", "rows", "source_file",
        }  # fmt: skip
        assert record["imported_by"] == "ana"
        assert len(record["sha256"]) == 64
    assert records[-1]["rows"] == 3080
    assert records[1]["name"] == "Sales: AI lead scoring"


def test_the_same_file_twice_adds_nothing(capsys, database_url):
    path = str(SAMPLE / "pilot_observations.csv")
    assert run(capsys, database_url, "import", "pilots", path)[0] == 0
    code, out, _ = run(capsys, database_url, "import", "pilots", path)
    assert code == 0 and out.startswith("Already stored: pilot_observations.csv is dataset 1")
    assert len(listed(capsys, database_url)) == 1


def test_delete_and_restore(capsys, database_url):
    run(capsys, database_url, "import", "case", str(SAMPLE / "cases" / "lead_scoring.yaml"))
    code, out, _ = run(capsys, database_url, "delete", "1")
    assert code == 0 and "db restore 1" in out
    assert listed(capsys, database_url) == []
    everything = listed(capsys, database_url, "--all")
    assert everything[0]["deleted_by"] == "ana" and everything[0]["deleted_at"]
    code, _, err = run(capsys, database_url, "delete", "1")
    assert code == 2 and "already deleted" in err
    assert run(capsys, database_url, "restore", "1")[0] == 0
    assert [r["id"] for r in listed(capsys, database_url)] == [1]
    code, _, err = run(capsys, database_url, "restore", "7")
    assert code == 2 and err == "db restore: no dataset 7\n"


BROKEN = [
    *(("pilots", p) for p in sorted((DATA / "broken_pilots").glob("*.csv"))),
    *(("use-cases", p) for p in sorted((DATA / "broken_registers").glob("*.csv"))),
    *(("case", p) for p in sorted((DATA / "broken_cases").glob("*.*"))),
]


def test_every_broken_file_exits_2_and_stores_nothing(capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 'broken.sqlite3'}"
    assert len(BROKEN) > 40
    for kind, path in BROKEN:
        code, out, err = run(capsys, url, "import", kind, str(path))
        assert code == 2, (path, out)
        assert err.startswith(str(path)) and "problem" in err, (path, err)
        assert "Traceback" not in err
    assert listed(capsys, url) == []
    store = Store(url)
    assert store.events() == []
    store.close()


def test_a_survey_without_items_and_an_unknown_kind_are_refused(capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 's.sqlite3'}"
    responses = str(SAMPLE / "survey" / "survey_responses.csv")
    code, _, err = run(capsys, url, "import", "survey", responses)
    assert code == 2 and "--items" in err
    with pytest.raises(SystemExit) as exit_info:
        main(["db", "import", "nonsense", responses, "--database-url", url])
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit):
        main(["db", "delete", "abc", "--database-url", url])
    assert "must be a dataset id" in capsys.readouterr().err


def test_migrate_reports_what_it_did(capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    code, out, _ = run(capsys, url, "migrate")
    assert code == 0
    assert all(f"Applied migration {m.version}:" in out for m in MIGRATIONS)
    code, out, _ = run(capsys, url, "migrate")
    assert code == 0 and f"up to date (schema version {LATEST})" in out


def test_an_unreachable_database_exits_1_without_a_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "roi", "db", "list", "--database-url",
         "postgresql+psycopg://nobody@127.0.0.1:9/none"],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    assert "db list: the database postgresql+psycopg://127.0.0.1:9/none failed" in (result.stderr)
    assert "Traceback" not in result.stderr


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "roi", *args], capture_output=True, text=True, cwd=ROOT,
        timeout=60,
    )  # fmt: skip


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://nobody:s3cret@127.0.0.1:9/none",
        "postgresql+psycopg://nobody@127.0.0.1:9/none?password=s3cret",
        "postgresql+psycopg://nobody@127.0.0.1:notaport/none?password=s3cret",
        "not a url s3cret",
        "mysql://nobody:s3cret@127.0.0.1/none",
        "postgresql+psycopg://nobody:p@s3cret@127.0.0.1:9/none",
    ],
)
def test_a_bad_or_unreachable_url_exits_1_and_never_prints_the_password(url):
    result = cli("db", "list", "--database-url", url)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("db list: ")
    assert "s3cret" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_a_bad_file_is_reported_even_when_the_database_is_down(tmp_path):
    broken = tmp_path / "broken.csv"
    broken.write_text("use_case_id,metric,group,unit_id,value\nUC,task_minutes,pilot,u,x\n")
    result = cli("db", "import", "pilots", str(broken), "--database-url",
                 "postgresql+psycopg://nobody@127.0.0.1:9/none")  # fmt: skip
    assert result.returncode == 2 and "line 2, column value" in result.stderr


def test_an_id_beyond_the_range_is_a_usage_error(capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 'ids.sqlite3'}"
    for text in ("9223372036854775808", "2147483648", "0"):
        with pytest.raises(SystemExit) as exit_info:
            main(["db", "delete", text, "--database-url", url])
        assert exit_info.value.code == 2
        assert "must be a dataset id" in capsys.readouterr().err


def test_roles_are_granted_listed_and_revoked(capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 'roles.sqlite3'}"
    code, out, _ = run(capsys, url, "roles")
    assert code == 0 and out.startswith("No roles assigned")
    code, out, _ = run(capsys, url, "grant", "Boss@Example.com", "admin")
    assert (code, out) == (0, "boss@example.com is now admin.\n")
    run(capsys, url, "grant", "ed@example.com", "editor")
    code, out, _ = run(capsys, url, "roles", "--json")
    records = json.loads(out)["roles"]
    assert [(r["email"], r["role"], r["assigned_by"]) for r in records] == [
        ("boss@example.com", "admin", "ana"),
        ("ed@example.com", "editor", "ana"),
    ]
    code, out, _ = run(capsys, url, "roles")
    assert "boss@example.com  admin" in out
    code, out, _ = run(capsys, url, "revoke", "ED@example.com")
    assert (code, out) == (0, "ed@example.com is out of the role table.\n")
    code, _, err = run(capsys, url, "revoke", "ed@example.com")
    assert code == 2 and "has no role" in err
    store = Store(url)
    assert [e.actor for e in store.events()] == ["ana"] * 3
    store.close()


def test_a_bad_grant_exits_2_and_keeps_nothing(capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 'roles.sqlite3'}"
    code, _, err = run(capsys, url, "grant", "not-an-email", "viewer")
    assert code == 2 and "not an e-mail address" in err and "Traceback" not in err
    with pytest.raises(SystemExit) as stopped:  # argparse refuses an unknown role itself
        run(capsys, url, "grant", "a@x.io", "owner")
    assert stopped.value.code == 2 and "invalid choice: 'owner'" in capsys.readouterr().err
    assert Store(url).roles() == []


def test_a_survey_is_kept_at_no_lower_threshold_than_the_stores(capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 'threshold.sqlite3'}"
    survey = SAMPLE / "survey"
    files = (str(survey / "survey_responses.csv"), "--items", str(survey / "survey_items.csv"))
    code, _, err = run(capsys, url, "import", "survey", *files, "--min-group", "3")
    assert code == 2 and "the anonymity threshold in force is 5" in err
    assert "Traceback" not in err
    code, out, _ = run(capsys, url, "import", "survey", *files, "--json")
    assert code == 0
    dataset = json.loads(out)["dataset"]
    assert Store(url).survey(dataset["id"]).report.min_group == 5  # the store's threshold
