"""A throwaway PostgreSQL cluster on 127.0.0.1 for tests and benchmarks (Debian's
``postgresql`` package; nothing is downloaded).

    python devtools/pgcluster.py start DIR PORT   # prints the SQLAlchemy URL
    python devtools/pgcluster.py stop DIR

The cluster trusts local connections, listens only on 127.0.0.1 and keeps its socket in
DIR. Run as root, the server runs as the ``postgres`` user (PostgreSQL refuses root).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

DATABASE = "roi"


def bin_dir() -> Path | None:
    """The folder of Debian's PostgreSQL server programs (newest version), if installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _version(path: str) -> int:
    try:
        return int(Path(path).parts[4])
    except (ValueError, IndexError):
        return 0


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def url(port: int, database: str = DATABASE) -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/{database}"


def start(folder: str | Path, port: int) -> str:
    """Create and start a cluster in ``folder`` (which must not hold one yet) with a
    database ``roi``; returns its SQLAlchemy URL."""
    programs = bin_dir()
    if programs is None:
        raise RuntimeError("PostgreSQL is not installed (Debian package: postgresql)")
    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data = folder / "data"
    quiet = {"check": True, "stdout": subprocess.DEVNULL}
    subprocess.run(
        _as_server_user(
            [str(programs / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E",
             "UTF8", "--no-sync"]
        ),
        **quiet,
    )  # fmt: skip
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        _as_server_user(
            [str(programs / "pg_ctl"), "-D", str(data), "-o", options, "-l",
             str(folder / "server.log"), "-w", "start"]
        ),
        **quiet,
    )  # fmt: skip
    subprocess.run(
        [str(programs / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
         DATABASE],
        **quiet,
    )  # fmt: skip
    return url(port)


def stop(folder: str | Path) -> None:
    """Stop the cluster in ``folder`` (quietly if it is not running)."""
    programs = bin_dir()
    data = Path(folder).resolve() / "data"
    if programs is None or not data.exists():
        return
    subprocess.run(
        _as_server_user([str(programs / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "start":
        print(start(argv[1], int(argv[2])))
        return 0
    if len(argv) == 2 and argv[0] == "stop":
        stop(argv[1])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
