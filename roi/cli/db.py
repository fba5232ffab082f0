"""``python -m roi db ...``: keep files in the store and manage what is kept.

The database is ``--database-url``, else ``DATABASE_URL``, else ``data/roi.sqlite3``. A
file with problems exits 2 with every problem listed, and nothing is stored; a database that
cannot be reached exits 1.

The command line is the operator's tool: whoever holds the database's address can change it
anyway, so its commands act with every right (an admin's), recorded as ``--user``.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys

from roi.access import Actor, Role
from roi.cli.common import (
    EXIT_BAD_INPUT,
    as_option,
    count_between,
    parse_currency,
    parse_share_to_one,
    read_file,
    read_mapping,
)
from roi.store import KINDS, NotFound, Store, prepare
from roi.store.db import DATABASE_ERRORS, failure_message
from roi.store.migrations import LATEST, migrate
from roi.store.records import MAX_ID

EXIT_DATABASE = 1


def default_user() -> str:
    """Who the command line writes as: ``ROI_USER``, else the login name."""
    named = os.environ.get("ROI_USER", "").strip()
    if named:
        return named
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (e.g. a container's unnamed uid)
        return "unknown"


def _open(args: argparse.Namespace, migrate_now: bool = True) -> Store:
    return Store(args.database_url, migrate_now=migrate_now)


def _operator(args: argparse.Namespace) -> Actor:
    return Actor(args.user, Role.ADMIN)


def _import(args: argparse.Namespace) -> int:
    if args.kind == "survey" and args.items is None:
        print("db import survey: --items ITEMS (survey_items.csv) is required", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.kind == "impact" and args.outcomes is None:
        print("db import impact: --outcomes FILE (outcomes.csv) is required", file=sys.stderr)
        return EXIT_BAD_INPUT
    raw = read_file(args.file)
    options: dict = {}
    if args.kind == "pilots":
        options["mapping"] = read_mapping(args.mapping)
    elif args.kind == "adoption":
        options["team"] = args.team
    elif args.kind == "survey":
        options["items"] = (read_file(args.items), args.items)
        if args.invited is not None:
            options["invitations"] = (read_file(args.invited), args.invited)
    elif args.kind == "use-cases":
        options["currency"] = args.currency
    elif args.kind == "impact":
        options["outcomes"] = (read_file(args.outcomes), args.outcomes)
        if args.metrics is not None:
            options["metrics"] = (read_file(args.metrics), args.metrics)
        options["hash_ids"] = args.hash_ids
        options["heavy_share"] = args.heavy_share
    if args.kind in ("survey", "impact"):  # the threshold (and keeping answers) are settings
        store = _open(args)
        if args.kind == "survey":
            options["keep_answers"] = store.keep_answers()
        options["min_group"] = args.min_group or store.min_group()
        prepared = prepare(args.kind, raw, args.file, **options)
    else:  # a bad file is reported even when the database is down, and creates nothing
        prepared = prepare(args.kind, raw, args.file, **options)
        store = _open(args)
    result = store.add(prepared, _operator(args))
    dataset = result.dataset
    if args.json:
        print(json.dumps({"created": result.created, "dataset": dataset.to_dict()}, indent=2))
    elif result.created:
        print(f"Stored {dataset.kind} {dataset.source_file} as dataset {dataset.id}:"
              f" {dataset.rows:,} rows, SHA-256 {dataset.sha256[:12]}…")  # fmt: skip
        for note in dataset.report.get("notes", []):
            print(f"  note: {note}")
    else:
        print(
            f"Already stored: {dataset.source_file} is dataset {dataset.id} (same kind and"
            f" SHA-256, imported {dataset.imported_at:%Y-%m-%d %H:%M} UTC by"
            f" {dataset.imported_by}); nothing added."
        )
    return 0


def _list(args: argparse.Namespace) -> int:
    store = _open(args)
    datasets = store.datasets(args.kind, include_deleted=args.all)
    if args.json:
        records = []
        for dataset in datasets:
            record = dataset.to_dict()
            if args.all:
                record["deleted_at"] = dataset.deleted_at and dataset.deleted_at.isoformat()
                record["deleted_by"] = dataset.deleted_by
            records.append(record)
        print(json.dumps({"datasets": records}, indent=2))
        return 0
    if not datasets:
        print(f"No datasets in {store.location}.")
        return 0
    header = f"{'id':>5}  {'kind':<9}  {'rows':>9}  {'imported (UTC)':<16}  {'by':<12}  name"
    print(header)
    for d in datasets:
        state = "" if d.live else f"  [deleted {d.deleted_at:%Y-%m-%d} by {d.deleted_by}]"
        print(
            f"{d.id:>5}  {d.kind:<9}  {d.rows:>9,}  {d.imported_at:%Y-%m-%d %H:%M}  "
            f"{d.imported_by[:12]:<12}  {d.name}{state}"
        )
    return 0


def _delete(args: argparse.Namespace) -> int:
    dataset = _open(args).delete(args.id, _operator(args))
    print(f"Deleted dataset {dataset.id} ({dataset.name}); `db restore {dataset.id}` undoes it.")
    return 0


def _restore(args: argparse.Namespace) -> int:
    dataset = _open(args).restore(args.id, _operator(args))
    print(f"Restored dataset {dataset.id} ({dataset.name}).")
    return 0


def _roles(args: argparse.Namespace) -> int:
    assignments = _open(args).roles()
    if args.json:
        print(json.dumps({"roles": [
            {"email": a.email, "role": a.role.value, "assigned_at": a.assigned_at.isoformat(),
             "assigned_by": a.assigned_by}
            for a in assignments
        ]}, indent=2))  # fmt: skip
        return 0
    if not assignments:
        print("No roles assigned: everyone signed in gets the [access] unknown_users role.")
        return 0
    width = max(len(a.email) for a in assignments)
    print(f"{'e-mail':<{width}}  {'role':<6}  {'assigned (UTC)':<16}  by")
    for a in assignments:
        print(f"{a.email:<{width}}  {a.role.value:<6}  {a.assigned_at:%Y-%m-%d %H:%M}  "
              f"{a.assigned_by}")  # fmt: skip
    return 0


def _grant(args: argparse.Namespace) -> int:
    assignment = _open(args).assign_role(args.email, args.role, _operator(args))
    print(f"{assignment.email} is now {assignment.role.value}.")
    return 0


def _revoke(args: argparse.Namespace) -> int:
    _open(args).remove_role(args.email, _operator(args))
    print(f"{args.email.strip().lower()} is out of the role table.")
    return 0


def _migrate(args: argparse.Namespace) -> int:
    store = _open(args, migrate_now=False)
    before = store.version()
    applied = migrate(store.engine)
    for migration in applied:
        print(f"Applied migration {migration.version}: {migration.name}")
    if not applied:
        print(f"{store.location} is up to date (schema version {before}).")
    else:
        print(f"{store.location} is at schema version {LATEST}.")
    return 0


def _dataset_id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a dataset id (a number), got {text!r}") from None
    if not 1 <= value <= MAX_ID:
        raise argparse.ArgumentTypeError(f"must be a dataset id (1 to {MAX_ID:,}), got {text!r}")
    return value


def _run(handler):
    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except NotFound as error:
            print(f"db {args.db_command}: {error}", file=sys.stderr)
            return EXIT_BAD_INPUT
        except DATABASE_ERRORS as error:
            print(f"db {args.db_command}: {failure_message(error, args.database_url)}",
                  file=sys.stderr)  # fmt: skip
            return EXIT_DATABASE

    return run


def add_db_commands(commands) -> None:
    """Register ``db`` and its subcommands on the CLI's subparsers."""
    db = commands.add_parser(
        "db",
        help="keep files in the store (SQLite or PostgreSQL) and manage what is kept",
        description="Keep validated files, with who imported them, when, their name and"
        " SHA-256, in the store the dashboard reads. The database is --database-url, else"
        " DATABASE_URL, else data/roi.sqlite3.",
    )
    shared = argparse.ArgumentParser(add_help=False)
    shared.add_argument(
        "--database-url",
        metavar="URL",
        help="SQLAlchemy URL (sqlite:///path or postgresql+psycopg://user@host/db);"
        " default DATABASE_URL, else data/roi.sqlite3",
    )
    shared.add_argument(
        "--user",
        metavar="NAME",
        default=default_user(),
        help="who the change is recorded as (default ROI_USER, else your login name)",
    )
    sub = db.add_subparsers(dest="db_command", metavar="COMMAND", required=True)
    imp = sub.add_parser(
        "import",
        parents=[shared],
        help="validate a file and keep it (all of it, or nothing when it has a problem)",
        description="Validate FILE as KIND and keep it. Importing the same file read the"
        " same way (same options and companion files) again adds nothing. A survey keeps its"
        " aggregates only, unless keeping raw answers has been switched on.",
    )
    imp.add_argument("kind", choices=KINDS, metavar="KIND", help=f"one of {', '.join(KINDS)}")
    imp.add_argument("file", metavar="FILE", help="the file to keep")
    imp.add_argument("--mapping", metavar="MAP", help="pilots: YAML file mapping your columns")
    imp.add_argument("--team", metavar="NAME", help="adoption: team of an export without one")
    imp.add_argument("--items", metavar="ITEMS", help="survey: survey_items.csv (required)")
    imp.add_argument("--invited", metavar="FILE", help="survey: survey_invitations.csv")
    imp.add_argument(
        "--min-group",
        metavar="N",
        type=as_option(count_between(3, 100)),
        help="survey, impact: smallest group whose figures are kept (default, and at least,"
        " the store's anonymity threshold: 5 unless an admin changed it)",
    )
    imp.add_argument("--outcomes", metavar="FILE", help="impact: outcomes.csv (required)")
    imp.add_argument("--metrics", metavar="FILE", help="impact: metrics.csv")
    imp.add_argument(
        "--hash-ids", action="store_true", help="impact: hash the person ids (SHA-256) first"
    )
    imp.add_argument(
        "--heavy-share",
        metavar="S",
        type=as_option(parse_share_to_one),
        default=0.35,
        help="impact: heavy users are active on at least this share of working days (default 0.35)",
    )
    imp.add_argument(
        "--currency",
        metavar="CODE",
        type=as_option(parse_currency),
        default="USD",
        help="use-cases: the register's currency (default USD)",
    )
    imp.add_argument("--json", action="store_true", help="print one JSON object")
    imp.set_defaults(run=_run(_import))
    lst = sub.add_parser("list", parents=[shared], help="list the datasets kept")
    lst.add_argument("--json", action="store_true", help='print {"datasets": [...]}')
    lst.add_argument("--kind", choices=KINDS, metavar="KIND", help="only this kind")
    lst.add_argument("--all", action="store_true", help="deleted datasets too")
    lst.set_defaults(run=_run(_list))
    for name, handler, text in (
        ("delete", _delete, "delete a dataset (kept in history; restore undoes it)"),
        ("restore", _restore, "bring back a deleted dataset"),
    ):
        command = sub.add_parser(name, parents=[shared], help=text, description=text)
        command.add_argument("id", metavar="ID", type=_dataset_id, help="the dataset's id")
        command.set_defaults(run=_run(handler))
    roles = sub.add_parser(
        "roles", parents=[shared], help="list the role table (e-mail, role, who assigned it)"
    )
    roles.add_argument("--json", action="store_true", help='print {"roles": [...]}')
    roles.set_defaults(run=_run(_roles))
    grant = sub.add_parser(
        "grant",
        parents=[shared],
        help="give an e-mail a role in the role table (how the first admin is made)",
        description="Give EMAIL the role ROLE (viewer, editor or admin), replacing any it"
        " had. A role in the identity token's claim, when the provider sends one, wins.",
    )
    grant.add_argument("email", metavar="EMAIL", help="the person's e-mail (any case)")
    grant.add_argument("role", metavar="ROLE", choices=[r.value for r in Role],
                       help="viewer, editor or admin")  # fmt: skip
    grant.set_defaults(run=_run(_grant))
    revoke = sub.add_parser("revoke", parents=[shared], help="take an e-mail out of the role table")
    revoke.add_argument("email", metavar="EMAIL", help="the person's e-mail (any case)")
    revoke.set_defaults(run=_run(_revoke))
    mig = sub.add_parser(
        "migrate",
        parents=[shared],
        help="bring the database's schema up to date (the app also does at start-up)",
    )
    mig.set_defaults(run=_run(_migrate))
