"""The run history: every run recorded in a database (SQLite by default, PostgreSQL), listed and compared.

Its modules, lightest first (importing this package loads no database library; docs/history.md):
- `url`: the configured URL, its default beside the run folders, masking its password;
- `compare`: the pure `compare(previous, current)` and `findings_of(result, customer)`;
- `record`: `record_run(settings, result, run_dir)` (`workflows.run.execute` calls it at the end of every run)
  and `open_history(settings)`; both load `store` only when called;
- `store`: `HistoryStore` (SQLAlchemy Core, Alembic migrations in `migrations/`): `runs`, `previous_run`,
  `previous_findings`, `compliance_trend`.
"""
