"""The run history on SQLite (a file under tmp_path): migrations, record, list, previous findings, trend."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from tests.history_cases import F, P, check_store, host, run, three_compliance_runs
from workflows.history.record import prepare_recording, record_run
from workflows.history.store import HistoryError, HistoryStore
from workflows.history.tables import metadata
from workflows.settings import Settings


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HistoryStore]:
    with HistoryStore(f"sqlite:///{tmp_path / 'db' / 'history.sqlite'}") as opened:
        yield opened


def test_store_records_lists_compares_and_trends(store: HistoryStore, tmp_path: Path) -> None:
    check_store(store, tmp_path)


def test_migrations_make_the_schema_the_tables_describe(store: HistoryStore) -> None:
    store.migrate()
    with store.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == "0001"
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []


def test_schema_check_can_fail(store: HistoryStore) -> None:
    store.migrate()
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_hosts_customer")
    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) != []


def test_first_use_makes_the_folder_and_listing_an_absent_file_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "new" / "history.sqlite"
    with HistoryStore(f"sqlite:///{path}") as store:
        assert not store.exists()
        assert not path.parent.exists()
        store.record(three_compliance_runs()[0], tmp_path)
        assert store.exists()
    with HistoryStore(f"sqlite:///{path}") as again:  # a second open finds the schema migrated already
        assert [r.run_id for r in again.runs()] == ["r1-compliance"]


def test_recording_a_run_id_again_replaces_it(store: HistoryStore, tmp_path: Path) -> None:
    first = run("r1", "upgrade", "2026-11-01T10:00:00+00:00", host("fw1", "acme", ("step", F, "failed")))
    store.record(first, tmp_path / "r1")
    resumed = run("r1", "upgrade", "2026-11-01T10:00:00+00:00", host("fw1", "acme", ("step", P, "done")))
    store.record(resumed, tmp_path / "r1")
    listed = store.runs()
    assert len(listed) == 1 and listed[0].counts["PASS"] == 1 and listed[0].counts["FAIL"] == 0
    assert [f.verdict for f in store.previous_findings("acme", "upgrade")] == [P]


def test_previous_findings_without_a_previous_run(store: HistoryStore, tmp_path: Path) -> None:
    assert store.previous_findings("acme", "compliance") == []
    only = run("r1", "compliance", "2026-11-01T10:00:00+00:00", host("fw1", "acme", ("ntp", F, "no ntp")))
    store.record(only, tmp_path)
    assert store.previous_findings("acme", "compliance", exclude_run="r1") == []
    assert store.previous_run("acme", "compliance") is not None


def test_an_error_host_comes_back_as_a_device_error_finding(store: HistoryStore, tmp_path: Path) -> None:
    store.record(three_compliance_runs()[3], tmp_path)
    found = store.previous_findings("globex", "compliance")
    assert ("globex-fw2", "device", "ERROR", "connect: refused") in {
        (f.host, f.check, f.verdict.value, f.message) for f in found
    }


def test_record_run_writes_beside_the_run_folders_by_default(tmp_path: Path) -> None:
    settings = Settings(output=tmp_path / "out")
    assert record_run(settings, three_compliance_runs()[0], tmp_path / "out" / "r1")
    with HistoryStore(f"sqlite:///{tmp_path / 'out' / 'history.sqlite'}") as store:
        assert [r.run_id for r in store.runs()] == ["r1-compliance"]


def test_preparing_brings_a_local_history_to_the_newest_schema_and_leaves_others_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prepare_recording(Settings(output=tmp_path / "out"))
    with HistoryStore(f"sqlite:///{tmp_path / 'out' / 'history.sqlite'}") as store:
        assert store.exists() and store._revision() is not None and store.runs() == []
    prepare_recording(Settings(output=tmp_path / "off", history_url="off"))
    assert not (tmp_path / "off").exists()

    def no_store(url: str) -> None:
        raise AssertionError(f"opened {url}")

    monkeypatch.setattr("workflows.history.store.HistoryStore", no_store)
    prepare_recording(Settings(output=tmp_path, history_url="postgresql://estate@db.example/estate"))


def test_record_run_off_records_nothing(tmp_path: Path) -> None:
    settings = Settings(output=tmp_path, history_url="off")
    assert not record_run(settings, three_compliance_runs()[0], tmp_path / "r1")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql+nodriver://estate:sekrit@db.example/estate", "postgresql+nodriver://estate:***@db.example"),
        ("sqlite:///{tmp}/a-file/history.sqlite", "cannot open and migrate sqlite:///"),
    ],
)
def test_a_history_it_cannot_use_is_one_warning_with_the_password_masked(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, url: str, expected: str
) -> None:
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    settings = Settings(output=tmp_path, history_url=url.format(tmp=tmp_path))
    with caplog.at_level(logging.INFO):
        assert record_run(settings, three_compliance_runs()[0], tmp_path / "r1") is False
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and expected in warnings[0], warnings
    assert "sekrit" not in caplog.text


def test_history_error_names_the_url_without_its_password() -> None:
    with pytest.raises(HistoryError, match=r"estate:\*\*\*@") as caught:
        HistoryStore("postgresql+nodriver://estate:sekrit@db.example/estate")
    assert "sekrit" not in str(caught.value)


@pytest.mark.parametrize("migrated_by_the_other", [True, False])
def test_a_migration_that_loses_a_race_with_another_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, migrated_by_the_other: bool
) -> None:
    """Two runs meet a new database: both see no schema, the loser's CREATE fails. Fine once the winner is done."""
    from sqlalchemy.exc import OperationalError

    from workflows.history import store as module

    url = f"sqlite:///{tmp_path / 'history.sqlite'}"
    if migrated_by_the_other:
        with HistoryStore(url) as other:
            other.migrate()
    real = module.MigrationContext.get_current_revision
    looks: list[int] = []

    def first_look_sees_nothing(self: MigrationContext) -> str | None:
        looks.append(1)
        return None if len(looks) == 1 else real(self)

    def create_fails(*args: object, **kwargs: object) -> None:
        raise OperationalError("CREATE TABLE runs", {}, Exception("table runs already exists"))

    monkeypatch.setattr(module.MigrationContext, "get_current_revision", first_look_sees_nothing)
    monkeypatch.setattr(module.alembic_command, "upgrade", create_fails)
    with HistoryStore(url) as late:
        if not migrated_by_the_other:
            with pytest.raises(HistoryError, match="table runs already exists"):
                late.migrate()
            return
        late.migrate()
        late.record(three_compliance_runs()[0], tmp_path)
        assert [r.run_id for r in late.runs()] == ["r1-compliance"]
