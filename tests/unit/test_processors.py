"""workflows/processors.py: a failed host becomes an ERROR record with its stage and a one-line reason; a task's
own record is kept; every record reaches the callback. Driven through a real Nornir run, no connection."""

from __future__ import annotations

from typing import Any

import pytest
from nornir.core import Nornir
from nornir.core.inventory import Defaults, Groups, Host, Hosts, Inventory
from nornir.core.task import Result, Task
from nornir.plugins.runners import SerialRunner

from tasks.errors import AuthError, CommandError, ConnectError, ParseError
from tasks.models import HostRecord, Verdict
from workflows.processors import RecordCollector, error_record, record_for

DATA = {"customer": "acme", "site": "lon1", "role": "edge-fw"}


def host(name: str = "fw1") -> Host:
    return Host(name, platform="paloalto_panos", data=dict(DATA), defaults=Defaults())


ERROR_CASES = [
    (ConnectError("192.0.2.1:22: Connection refused"), "connect", "192.0.2.1:22: Connection refused"),
    (AuthError("login rejected for user 'admin'"), "login", "login rejected for user 'admin'"),
    (CommandError("'show ntp': session lost: EOFError"), "command", "'show ntp': session lost: EOFError"),
    (ParseError("show system info: no sw-version"), "parse", "show system info: no sw-version"),
    (KeyError("model"), "internal", "KeyError: 'model'"),
    (ValueError("first line\nsecond line\n"), "internal", "ValueError: first line"),
    (RuntimeError(), "internal", "RuntimeError"),
    (None, "internal", "task failed"),
]


@pytest.mark.parametrize(("exc", "stage", "reason"), ERROR_CASES, ids=[repr(c[0])[:40] for c in ERROR_CASES])
def test_a_failure_becomes_an_error_record_with_stage_and_one_line(
    exc: BaseException | None, stage: str, reason: str
) -> None:
    record = error_record(host(), exc, "task failed")
    assert (record.status, record.error_stage, record.error) == ("error", stage, reason)
    assert record.verdict is Verdict.ERROR
    assert (record.name, record.customer, record.site, record.platform, record.role) == (
        "fw1", "acme", "lon1", "paloalto_panos", "edge-fw",
    )  # fmt: skip


OUTCOMES: dict[str, Any] = {
    "fw-ok": "record",
    "fw-refused": ConnectError("192.0.2.1:22: Connection refused"),
    "fw-garbage": ParseError("show system info: not PAN-OS"),
    "fw-bug": ZeroDivisionError("division by zero"),
    "fw-no-record": "not a record",
}


def outcome_task(task: Task) -> Result:
    outcome = OUTCOMES[task.host.name]
    if isinstance(outcome, BaseException):
        raise outcome
    if outcome == "record":
        return Result(host=task.host, result=record_for(task.host))
    return Result(host=task.host, result=outcome)


def test_the_collector_keeps_one_record_per_host_and_calls_back_each() -> None:
    hosts = Hosts({name: host(name) for name in OUTCOMES})
    nornir = Nornir(Inventory(hosts=hosts, groups=Groups(), defaults=Defaults()), runner=SerialRunner())
    seen: list[HostRecord] = []
    collector = RecordCollector(on_record=seen.append)
    nornir.with_processors([collector]).run(task=outcome_task)
    records = collector.records
    assert sorted(records) == sorted(OUTCOMES) and sorted(r.name for r in seen) == sorted(OUTCOMES)
    assert records["fw-ok"].status == "ok" and records["fw-ok"].verdict is Verdict.PASS
    errors = {name: (r.error_stage, r.error) for name, r in records.items() if r.status == "error"}
    assert errors == {
        "fw-refused": ("connect", "192.0.2.1:22: Connection refused"),
        "fw-garbage": ("parse", "show system info: not PAN-OS"),
        "fw-bug": ("internal", "ZeroDivisionError: division by zero"),
        "fw-no-record": ("internal", "not a record"),
    }
