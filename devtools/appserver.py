"""Starting and stopping the dashboard on 127.0.0.1 for whatever drives it in a browser:
the browser tests, the benchmarks and the manual's screenshots (``devtools/screenshots.py``).
Nothing here reaches beyond this machine."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_health(
    url: str, process: subprocess.Popen, seconds: float = 60.0, what: str = "streamlit"
) -> None:
    """Until ``url/_stcore/health`` answers ``ok`` (through ``what``, a server process)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{what} did not answer on {url} within {seconds:.0f} s")


# Where the dashboard looks for its secrets in tests: a file that does not exist (so sign-in
# is off, whatever a developer keeps in .streamlit/secrets.toml), unless a test gives one.
NO_SECRETS = ROOT / "tests" / "data" / "no-such-secrets.toml"


def start_app(
    port: int, env: dict[str, str] | None = None, secrets: Path = NO_SECRETS
) -> subprocess.Popen:
    """``streamlit run`` of the dashboard on 127.0.0.1:``port``, with ``env`` added to the
    environment (e.g. its own ``DATABASE_URL``) and ``secrets`` as its secrets file (none:
    sign-in off); answers health checks when this returns."""
    command = [
        sys.executable, "-m", "streamlit", "run", "dashboard/app.py",
        "--server.address", "127.0.0.1", "--server.port", str(port),
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none", "--secrets.files", str(secrets),
    ]  # fmt: skip
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )
    try:
        wait_for_health(f"http://127.0.0.1:{port}", process)
    except BaseException:
        stop_app(process)
        raise
    return process


def stop_app(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
