"""Scale-out: two instances of the dashboard on one PostgreSQL database behind nginx
(Debian's package) on 127.0.0.1, with the session affinity Streamlit's websocket sessions
need (``deploy/nginx.conf.template``). A file saved through a session on one instance is
seen by a session on the other.

Needs nginx and PostgreSQL; skipped without them, except under ``CI=true`` (``.ci/run``
installs both), where that is a failure."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest
from appserver import free_port, start_app, stop_app, wait_for_health
from playwright.sync_api import expect
from serving import save_pilot_upload

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
TALL = {"width": 1400, "height": 2400}
HEADER = "x-roi-instance"


def nginx_path() -> str | None:
    return shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )


def write_config(prefix: Path, listen: str, ports: list[int]) -> Path:
    for folder in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / folder).mkdir(parents=True, exist_ok=True)
        (prefix / folder).chmod(0o777)  # nginx's workers run as another user under root
    text = (
        TEMPLATE.read_text(encoding="utf-8")
        .replace("{{PREFIX}}", str(prefix))
        .replace("{{LISTEN}}", listen)
        .replace("{{INSTANCES}}", " ".join(f"server 127.0.0.1:{p};" for p in ports))
    )
    config = prefix / "nginx.conf"
    config.write_text(text, encoding="utf-8")
    return config


@pytest.fixture(scope="module")
def balanced(postgres_server):
    """Two app instances on one fresh PostgreSQL database behind nginx; yields the load
    balancer's URL, the instances' addresses and the database URL."""
    binary = nginx_path()
    if binary is None:
        message = "nginx is not installed (Debian package nginx): skipping the scale-out test"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    import psycopg
    from sqlalchemy.engine import make_url

    server = make_url(postgres_server)
    name = f"scale_{uuid.uuid4().hex[:10]}"

    def admin(statement: str) -> None:
        with psycopg.connect(
            host=server.host, port=server.port, user=server.username,
            password=server.password, dbname=server.database, autocommit=True,
        ) as conn:  # fmt: skip
            conn.execute(statement)

    admin(f"CREATE DATABASE {name}")
    database = server.set(database=name).render_as_string(hide_password=False)
    env = {
        "DATABASE_URL": database,
        # One secret for every instance (Streamlit signs its cookies with it).
        "STREAMLIT_SERVER_COOKIE_SECRET": uuid.uuid4().hex,
    }
    ports = [free_port(), free_port()]
    instances = []
    nginx = None
    cleanup: list[Path] = []
    try:
        for index, port in enumerate(ports):
            instances.append(start_app(port, {**env, "ROI_USER": f"instance-{index + 1}"}))
        # Directly under /tmp: nginx's workers (another user when run as root) must be able
        # to reach it, and pytest's own temporary folders are private.
        prefix = Path(tempfile.mkdtemp(prefix="roi-nginx-"))
        prefix.chmod(0o755)
        cleanup.append(prefix)
        listen = free_port()
        config = write_config(prefix, f"127.0.0.1:{listen}", ports)
        nginx = subprocess.Popen(
            [binary, "-p", str(prefix), "-c", str(config), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{listen}"
        wait_for_health(url, nginx, 30, what="nginx")
        yield url, [f"127.0.0.1:{p}" for p in ports], database
    finally:
        if nginx is not None:
            nginx.terminate()
            nginx.wait(timeout=10)
        for process in instances:
            stop_app(process)
        admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        for folder in cleanup:
            shutil.rmtree(folder, ignore_errors=True)


def test_saved_on_one_instance_seen_on_the_other(balanced, browser, screenshot, tmp_path):
    url, instances, database = balanced
    first = browser.new_context(viewport=TALL)
    page = first.new_page()
    page.set_default_timeout(60_000)
    served_by = page.goto(f"{url}/pilots").headers[HEADER]
    assert served_by in instances
    # Affinity: every later request of this browser reaches the same instance.
    for _ in range(6):
        assert first.request.get(f"{url}/_stcore/health").headers[HEADER] == served_by
    save_pilot_upload(page, tmp_path, "shared_pilot.csv")
    expect(page.get_by_text("Saved as dataset #1", exact=False)).to_be_visible()
    screenshot(page, "scale_out_saved")

    # New browsers get a random route; keep opening until one lands on the other instance.
    for _ in range(40):
        second = browser.new_context(viewport=TALL)
        other = second.new_page()
        other.set_default_timeout(60_000)
        if other.goto(f"{url}/pilots").headers[HEADER] != served_by:
            break
        second.close()
    else:
        pytest.fail("40 new sessions all reached the same instance: is nginx balancing?")
    expect(
        other.get_by_text("Saved dataset #1, shared_pilot.csv: 3,080 observations", exact=False)
    ).to_be_visible()
    expect(other.locator('[data-testid="stPlotlyChart"]')).to_have_count(6)
    screenshot(other, "scale_out_other_instance")

    from roi.store import Store

    store = Store(database)
    (dataset,) = store.datasets()
    # Written by the instance the first browser was routed to.
    number = instances.index(served_by) + 1
    assert dataset.imported_by == f"instance-{number}"
    store.close()
    second.close()
    first.close()
