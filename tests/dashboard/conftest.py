"""What the dashboard's AppTests share: an empty SQLite store the app under test opens."""

from __future__ import annotations

import pytest

from roi.store import Store


@pytest.fixture
def store(tmp_path, monkeypatch):
    """A fresh store in ``tmp_path``, named to the app by ``DATABASE_URL``."""
    url = f"sqlite:///{tmp_path / 'app.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    opened = Store(url)
    yield opened
    opened.close()
