"""The run history in a database (SQLAlchemy Core; schema by Alembic): record runs, list them, read them back.

Errors of SQLAlchemy, the database driver and Alembic are translated once, here, into `HistoryError` (an
`InputError`: the configured URL is wrong or its server cannot be reached), with the URL's password masked.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import Any

from alembic import command as alembic_command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Row, Select, create_engine, func, insert, select
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from tasks.errors import InputError
from tasks.models import RunResult, Verdict
from tasks.models.history import HostFinding, RecordedRun, TrendPoint
from workflows.history.compare import DEVICE_CHECK
from workflows.history.tables import findings, hosts, run_customers, runs
from workflows.history.url import clean

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
COMPLIANCE = "compliance"
CONNECT_TIMEOUT_S = 10  # a PostgreSQL server that does not answer costs a run at most this
SQLITE_BUSY_S = 30.0  # how long a writer waits for another (shards finishing together) before giving up
_COUNT_COLUMNS = {v: f"{v.value.lower()}_count" for v in Verdict}


class HistoryError(InputError):
    """The history database could not be opened, migrated, read or written (the message masks the password)."""


class HistoryStore:
    """One history database, migrated to the newest schema on first use; close it (or use `with`) when done."""

    def __init__(self, url: str) -> None:
        self.url = url
        with self._translate("open"):
            self.engine: Engine = _engine(url)
        self._migrated = False

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self.engine.dispose()

    def exists(self) -> bool:
        """False only for an SQLite file that is not there yet (nothing recorded; listing it need not create it)."""
        url = make_url(self.url)
        if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
            return True
        return Path(url.database).exists()

    def migrate(self) -> None:
        """Apply the Alembic migrations shipped in `migrations/` that the database has not had yet (first use)."""
        if self._migrated:
            return
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self._translate("open and migrate"):
            database = self.engine.url.database
            if self.engine.url.get_backend_name() == "sqlite" and database not in (None, "", ":memory:"):
                Path(database).parent.mkdir(parents=True, exist_ok=True)  # SQLite makes the file, not its folder
        head = ScriptDirectory.from_config(config).get_current_head()
        try:
            with self._translate("open and migrate"), self.engine.begin() as conn:
                if MigrationContext.configure(conn).get_current_revision() != head:
                    log.info("history: migrating the schema to %s", head)
                    config.attributes["connection"] = conn
                    alembic_command.upgrade(config, "head")
        except HistoryError:
            # Two runs meeting a new database at once (shards) both migrate it: the loser's CREATE fails. When
            # the database is at the head now, the other one did the work.
            if self._revision() != head:
                raise
            log.info("history: another run migrated the schema meanwhile")
        self._migrated = True

    def _revision(self) -> str | None:
        with self._translate("open and migrate"), self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def record(self, result: RunResult, run_dir: Path) -> int:
        """Record `result` (run, customers, hosts, findings) in one transaction; return the run's database id.

        A run recorded before under the same run id (a resumed upgrade writes its folder again) is replaced.
        """
        self.migrate()
        info = result.run
        counts = result.counts()
        customers = sorted({*info.customers, *(h.customer for h in result.hosts)})
        row: dict[str, Any] = {
            "run_id": info.id,
            "command": info.command,
            "target": info.target,
            "started": _parse_time(info.started) or datetime.now(timezone.utc),
            "finished": _parse_time(info.finished),
            "shard": info.shard,
            "estate_version": info.estate_version,
            "run_dir": str(run_dir),
            "devices": len(result.hosts),
        }
        row |= {column: counts[verdict.value] for verdict, column in _COUNT_COLUMNS.items()}
        with self._translate("record the run in"), self.engine.begin() as conn:
            old = conn.execute(select(runs.c.id).where(runs.c.run_id == info.id)).scalar_one_or_none()
            if old is not None:
                _delete_run(conn, old)
            run_pk = conn.execute(insert(runs).values(row).returning(runs.c.id)).scalar_one()
            if customers:
                conn.execute(insert(run_customers), [{"run_pk": run_pk, "customer": c} for c in customers])
            if not result.hosts:
                return run_pk
            host_rows = [
                {
                    "run_pk": run_pk,
                    "name": h.name,
                    "customer": h.customer,
                    "site": h.site,
                    "platform": h.platform,
                    "status": h.status,
                    "verdict": h.verdict.value,
                    "error": f"{h.error_stage}: {h.error}" if h.status == "error" else None,
                }
                for h in result.hosts
            ]
            statement = insert(hosts).returning(hosts.c.id, sort_by_parameter_order=True)
            host_pks = conn.execute(statement, host_rows).scalars().all()
            finding_rows = [
                {
                    "host_pk": pk,
                    "check_name": f.check,
                    "severity": f.severity.value,
                    "verdict": f.verdict.value,
                    "message": f.message,
                }
                for pk, h in zip(host_pks, result.hosts, strict=True)
                for f in h.findings
            ]
            if finding_rows:
                conn.execute(insert(findings), finding_rows)
        return run_pk

    def runs(
        self, customer: str | None = None, command: str | None = None, limit: int | None = 20
    ) -> list[RecordedRun]:
        """The recorded runs, newest first: of `customer` (a run that covered it) and `command` when given."""
        return self._runs(customer, command, limit)

    def previous_run(self, customer: str, command: str, exclude_run: str | None = None) -> RecordedRun | None:
        """The newest recorded run of `command` that covered `customer`, other than run id `exclude_run`."""
        found = self._runs(customer, command, 1, exclude_run)
        return found[0] if found else None

    def previous_findings(self, customer: str, command: str, exclude_run: str | None = None) -> list[HostFinding]:
        """The findings of `customer`'s hosts in `previous_run` (empty when there is none), for `compare`.

        A host that could not be checked in that run gives one ERROR finding (check `device`), as `findings_of`.
        """
        previous = self.previous_run(customer, command, exclude_run)
        if previous is None:
            return []
        scope = (hosts.c.run_pk == previous.id) & (hosts.c.customer == customer)
        with self._translate("read"), self.engine.connect() as conn:
            failed = conn.execute(
                select(hosts.c.name, hosts.c.error).where(scope, hosts.c.status == "error").order_by(hosts.c.id)
            ).all()
            found = conn.execute(
                select(hosts.c.name, findings.c.check_name, findings.c.verdict, findings.c.message)
                .select_from(findings.join(hosts))
                .where(scope)
                .order_by(hosts.c.id, findings.c.id)
            ).all()
        result = [HostFinding(name, DEVICE_CHECK, Verdict.ERROR, error or "") for name, error in failed]
        return result + [HostFinding(name, check, Verdict(verdict), message) for name, check, verdict, message in found]

    def compliance_trend(
        self, customers: Sequence[str] | None = None, command: str = COMPLIANCE, limit: int | None = None
    ) -> dict[str, list[TrendPoint]]:
        """Per customer, oldest first, one point per recorded run of `command`: PASS out of judged findings.

        `customers` None means every customer recorded; a named customer with no run gets an empty list. A run
        that judged nothing of a customer (its hosts all ERROR) gives no point. `limit` keeps the newest points.
        """
        statement = (
            select(runs.c.id, runs.c.run_id, runs.c.started, hosts.c.customer, findings.c.verdict, func.count())
            .select_from(runs.join(hosts).join(findings))
            .where(runs.c.command == command)
            .group_by(runs.c.id, runs.c.run_id, runs.c.started, hosts.c.customer, findings.c.verdict)
        )
        if customers is not None:
            statement = statement.where(hosts.c.customer.in_(list(customers)))
        self.migrate()
        with self._translate("read"), self.engine.connect() as conn:
            rows = conn.execute(statement).all()
        tally: dict[tuple[str, int], list[Any]] = {}
        for pk, run_id, started, customer, verdict, count in rows:
            entry = tally.setdefault((customer, pk), [run_id, _utc(started), 0, 0])
            if verdict == Verdict.PASS.value:
                entry[2] += count
            if verdict != Verdict.SKIPPED.value:
                entry[3] += count
        trend: dict[str, list[TrendPoint]] = {c: [] for c in customers or ()}
        for (customer, _pk), (run_id, started, passed, judged) in sorted(tally.items(), key=lambda i: (i[1][1], i[0])):
            if judged:
                trend.setdefault(customer, []).append(TrendPoint(run_id, started, passed, judged))
        if limit is not None:
            trend = {c: points[-limit:] if limit > 0 else [] for c, points in trend.items()}
        return dict(sorted(trend.items()))

    def _runs(
        self, customer: str | None, command: str | None, limit: int | None, exclude_run: str | None = None
    ) -> list[RecordedRun]:
        statement: Select[Any] = select(runs).order_by(runs.c.started.desc(), runs.c.id.desc())
        if command is not None:
            statement = statement.where(runs.c.command == command)
        if customer is not None:
            covered = select(run_customers.c.run_pk).where(run_customers.c.customer == customer)
            statement = statement.where(runs.c.id.in_(covered))
        if exclude_run is not None:
            statement = statement.where(runs.c.run_id != exclude_run)
        if limit is not None:
            statement = statement.limit(limit)
        self.migrate()
        with self._translate("read"), self.engine.connect() as conn:
            rows = conn.execute(statement).all()
            names = _customers(conn, [row.id for row in rows])
        return [_recorded(row, names.get(row.id, ())) for row in rows]

    @contextmanager
    def _translate(self, doing: str) -> Iterator[None]:
        """SQLAlchemy, driver, Alembic and file errors as one-line `HistoryError`s with the password masked."""
        try:
            yield
        except (SQLAlchemyError, CommandError, OSError) as exc:
            reason = getattr(exc, "orig", None) or exc
            if isinstance(exc, (ArgumentError, NoSuchModuleError)):
                reason = exc
            lines = str(reason).strip().splitlines() or [type(reason).__name__]
            raise HistoryError(clean(f"history: cannot {doing} {self.url}: {lines[0]}", self.url)) from None


def _engine(url: str) -> Engine:
    """An engine for `url` (nothing connects yet): `postgresql://` uses psycopg 3."""
    parsed = make_url(url)
    connect_args: dict[str, Any] = {}
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "postgresql":
        connect_args["connect_timeout"] = CONNECT_TIMEOUT_S
    elif parsed.get_backend_name() == "sqlite":
        connect_args["timeout"] = SQLITE_BUSY_S
    # No pool: a run opens the database once, at its end; a pooled connection would outlive the command.
    return create_engine(parsed, connect_args=connect_args, poolclass=NullPool)


def _delete_run(conn: Connection, run_pk: int) -> None:
    """Delete a run and what hangs from it (explicitly: SQLite enforces no ON DELETE CASCADE by default)."""
    host_pks = select(hosts.c.id).where(hosts.c.run_pk == run_pk)
    conn.execute(findings.delete().where(findings.c.host_pk.in_(host_pks)))
    conn.execute(hosts.delete().where(hosts.c.run_pk == run_pk))
    conn.execute(run_customers.delete().where(run_customers.c.run_pk == run_pk))
    conn.execute(runs.delete().where(runs.c.id == run_pk))


def _customers(conn: Connection, run_pks: Iterable[int]) -> dict[int, tuple[str, ...]]:
    pks = list(run_pks)
    if not pks:
        return {}
    names: dict[int, list[str]] = defaultdict(list)
    statement = select(run_customers).where(run_customers.c.run_pk.in_(pks)).order_by(run_customers.c.customer)
    for run_pk, customer in conn.execute(statement):
        names[run_pk].append(customer)
    return {pk: tuple(values) for pk, values in names.items()}


def _recorded(row: Row[Any], customers: tuple[str, ...]) -> RecordedRun:
    counts = {verdict.value: getattr(row, column) for verdict, column in _COUNT_COLUMNS.items()}
    return RecordedRun(
        id=row.id,
        run_id=row.run_id,
        command=row.command,
        customers=customers,
        target=row.target,
        started=_utc(row.started),
        finished=_utc(row.finished) if row.finished else None,
        devices=row.devices,
        counts=counts,
        run_dir=row.run_dir,
    )


def _parse_time(text: str) -> datetime | None:
    """An ISO 8601 time of RunInfo as UTC (a time without zone is taken as UTC); None when empty or unreadable.

    >>> _parse_time("2026-11-30T19:00:05+01:00").isoformat(), _parse_time("")
    ('2026-11-30T18:00:05+00:00', None)
    """
    try:
        return _utc(datetime.fromisoformat(text)) if text else None
    except ValueError:
        return None


def _utc(when: datetime) -> datetime:
    """`when` in UTC; SQLite gives back times without a zone, which are UTC as they were written."""
    return when.replace(tzinfo=timezone.utc) if when.tzinfo is None else when.astimezone(timezone.utc)
