"""The run history on a real PostgreSQL server that the tests start (the `pgserver` package: PostgreSQL's own
binaries in a wheel), listening on 127.0.0.1 on a free port, one server for the session, a database per test."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import pgserver
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from pgserver._commands import pg_ctl
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from tests.history_cases import check_store
from tests.integration.conftest import Lab
from workflows.cli import main
from workflows.history.store import HistoryStore
from workflows.history.tables import metadata

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a PostgreSQL server started for this test session, stopped at its end."""
    # pgserver makes the cluster (and the system user PostgreSQL runs as, when we are root) and starts it on a unix
    # socket; it is started again here on TCP, as a server a history URL names is reached.
    server = pgserver.get_server(tmp_path_factory.mktemp("pg"), cleanup_mode=None)
    pg_ctl(["-w", "stop"], pgdata=server.pgdata, user=server.system_user)
    port = free_port()
    listen = f'-h 127.0.0.1 -p {port} -k ""'
    pg_ctl(["-w", "-o", listen, "-l", str(server.log), "start"], pgdata=server.pgdata, user=server.system_user)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        pg_ctl(["-w", "stop"], pgdata=server.pgdata, user=server.system_user)


@pytest.fixture
def pg_url(postgres: str) -> str:
    """A new, empty database on the session's server: its URL as a user would write it (postgresql://…)."""
    name = f"estate_{uuid4().hex[:12]}"
    engine = create_engine(make_url(postgres).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return make_url(postgres).set(database=name).render_as_string(hide_password=False)


def test_store_on_postgres(pg_url: str, tmp_path: Path) -> None:
    with HistoryStore(pg_url) as store:
        check_store(store, tmp_path)


def test_migrations_on_postgres_make_the_schema_the_tables_describe(pg_url: str) -> None:
    with HistoryStore(pg_url) as store:
        store.migrate()
        with store.engine.connect() as conn:
            assert conn.dialect.name == "postgresql"
            assert MigrationContext.configure(conn).get_current_revision() == "0001"
            assert compare_metadata(MigrationContext.configure(conn), metadata) == []


def test_an_audit_is_recorded_in_postgres_and_listed(
    lab_env: Lab,
    pg_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ESTATE_HISTORY_URL", pg_url)
    out = tmp_path / "output"
    for _ in range(2):
        code = main(["audit", "--inventory", str(lab_env.inventory), "--customer", "beta", "--out", str(out)])
        assert code == 0  # beta's third-party optics are WARN without a target release
    capsys.readouterr()
    assert not (out / "history.sqlite").exists()
    assert main(["history", "--customer", "beta", "--json"]) == 0
    runs = json.loads(capsys.readouterr().out)
    assert [r["command"] for r in runs] == ["audit", "audit"]
    assert runs[0]["id"] > runs[1]["id"] and runs[0]["customers"] == ["beta"] and runs[0]["devices"] == 2
    assert sorted(p.name for p in out.iterdir()) == sorted(Path(r["run_dir"]).name for r in runs)
    with HistoryStore(pg_url) as store:
        previous = store.previous_findings("beta", "audit", exclude_run=runs[0]["run_id"])
        assert previous and {f.host for f in previous} == {"beta-nyc1-fw01", "beta-nyc1-fw02"}
