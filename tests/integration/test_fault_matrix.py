"""Every lab fault on every platform in one run: one lab, one `estate audit` over a generated estate.

Each faulted device must be an ERROR row whose stage and reason say what the fault is; the healthy devices, the
`flap` devices (reset twice, then served) and the `pager` devices (answered page by page) complete; the run exits
2; and it ends within the bound its timeouts allow (docs/reliability.md "Faults x platforms" derives it). The
expectations below come from what each fault does (lab/session.py, docs/estate-file.md), not from what estate
happens to print.
"""

from __future__ import annotations

import json
import math
import random
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lab.control import LabInfo
from lab.estates.multivendor import sample_device
from lab.server import FLAP_RESETS
from tasks.connection import HANDSHAKE_GRACE_S, WAIT_S
from tests.integration.conftest import running_lab, use_lab_credentials
from tests.integration.test_audit import sheet_rows
from workflows.cli import main

pytestmark = pytest.mark.integration

PLATFORMS = ("paloalto_panos", "fortinet", "cisco_ios", "cisco_nxos", "arista_eos", "juniper_junos")
CONNECT_TIMEOUT, COMMAND_TIMEOUT, HOST_TIMEOUT = 5.0, 3.0, 20.0
RETRIES = FLAP_RESETS  # enough attempts for a flapping device to be served on its last one
BACKOFF = 0.2
# Run overhead besides the devices: inventory and matrices loaded, processes forked, the reports written.
OVERHEAD_S = 20.0

# fault -> (stage, what the reason must say, whether a transient failure was retried)
EXPECTED: dict[str, tuple[str, str, bool]] = {
    "refuse": ("connect", "Connection refused", True),  # the port is closed: retried, refused each time
    "auth_fail": ("login", "login rejected", False),  # never retried: the account must not be locked out
    "hang": ("connect", "no prompt", False),  # logged in, then silence
    "drop": ("command", "session lost", False),  # the connection cut under the first command
    "garbage": ("parse", "output", False),  # the output is no platform's
    "slow": ("connect", "no prompt", False),  # every reply later than the timeout
    "max_sessions": ("connect", "closed the session", True),  # at its session limit: closed after the login
    "endless_banner": ("connect", "no prompt", False),  # the banner never ends, so no prompt ever comes
    "hostname_change": ("command", "prompt changed", False),  # the prompt after the first command is another
}
# Faults estate gets through: a flapping device is served on a retry; a pager left on is answered page by page.
RECOVERS = ("flap", "pager")


def _name(platform: str, kind: str) -> str:
    return f"{platform.replace('_', '-')}-{kind.replace('_', '-')}"


def _estate() -> dict[str, Any]:
    rng = random.Random(13)
    devices = []
    for platform in PLATFORMS:
        devices.append(sample_device(platform, _name(platform, "ok"), False, rng))
        for fault in (*EXPECTED, *RECOVERS):
            devices.append(dict(sample_device(platform, _name(platform, fault), False, rng), faults=[fault]))
    # `bounded`: devices that answer everything, each reply after LATENCY_MS, and a healthy one (the host bound)
    bounded = [dict(sample_device(p, _name(p, "laggy"), False, rng), latency_ms=LATENCY_MS) for p in PLATFORMS]
    bounded.append(sample_device(PLATFORMS[0], "bounded-ok", False, rng))
    return {
        "customers": {
            "faults": {"sites": {"lab1": {"devices": devices}}},
            "bounded": {"sites": {"lab2": {"devices": bounded}}},
        }
    }


# The host bound's run: each reply well within the command timeout, but an audit needs at least five replies
# (the first prompt, two of the session preparation, the facts, the optics): 5 x 2 s > 8 s.
LATENCY_MS, BOUNDED_HOST_TIMEOUT, BOUNDED_COMMAND_TIMEOUT = 2000, 8.0, 5.0
ESTATE = _estate()
DEVICES = len(ESTATE["customers"]["faults"]["sites"]["lab1"]["devices"])
# The bound on one device (docs/reliability.md): its task stops at the first read after host_timeout_s; a step
# that does not read can run past it by one login (TCP connect, SSH banner and key exchange, auth) or one pause.
LOGIN_S = CONNECT_TIMEOUT + (CONNECT_TIMEOUT + HANDSHAKE_GRACE_S) + CONNECT_TIMEOUT
NETMIKO_PAUSE_S = 8.0  # the longest sleep between two reads in netmiko's session preparation (_test_channel_read)
DEVICE_BOUND_S = HOST_TIMEOUT + LOGIN_S + NETMIKO_PAUSE_S + WAIT_S


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, LabInfo]]:
    work = tmp_path_factory.mktemp("fault-matrix")
    with running_lab(work, ESTATE) as info:
        yield work, info


def _audit(work: Path, out: str, customer: str) -> tuple[int, Path, float]:
    started = time.monotonic()
    code = main(["audit", "--inventory", str(work / "inventory"), "--out", str(work / out), "--customer", customer])
    elapsed = time.monotonic() - started
    (run,) = [p for p in (work / out).iterdir() if p.is_dir()]
    return code, run, elapsed


@pytest.fixture(scope="module")
def matrix_run(lab: tuple[Path, LabInfo]) -> Iterator[tuple[int, Path, float]]:
    work, info = lab
    with pytest.MonkeyPatch.context() as monkeypatch:
        use_lab_credentials(monkeypatch, info)
        environment = {
            "ESTATE_CONNECT_TIMEOUT": CONNECT_TIMEOUT,
            "ESTATE_COMMAND_TIMEOUT": COMMAND_TIMEOUT,
            "ESTATE_HOST_TIMEOUT_S": HOST_TIMEOUT,
            "ESTATE_RETRIES": RETRIES,
            "ESTATE_RETRY_BACKOFF_S": BACKOFF,
            # every device at once: no device waits for a worker or for the login gate (its own logins only)
            "ESTATE_WORKERS": 2 * DEVICES,
            "ESTATE_MAX_CONCURRENT_LOGINS": 2 * DEVICES,
        }
        for variable, value in environment.items():
            monkeypatch.setenv(variable, str(value))
        yield _audit(work, "output", "faults")


@pytest.fixture(scope="module")
def folder(matrix_run: tuple[int, Path, float]) -> Path:
    return matrix_run[1]


@pytest.fixture(scope="module")
def bounded_run(lab: tuple[Path, LabInfo]) -> Iterator[tuple[int, Path, float]]:
    work, info = lab
    with pytest.MonkeyPatch.context() as monkeypatch:
        use_lab_credentials(monkeypatch, info)
        monkeypatch.setenv("ESTATE_CONNECT_TIMEOUT", str(CONNECT_TIMEOUT))
        monkeypatch.setenv("ESTATE_COMMAND_TIMEOUT", str(BOUNDED_COMMAND_TIMEOUT))
        monkeypatch.setenv("ESTATE_HOST_TIMEOUT_S", str(BOUNDED_HOST_TIMEOUT))
        yield _audit(work, "bounded", "bounded")


def _log_lines(folder: Path, device: str) -> list[str]:
    return [line for line in (folder / "run.log").read_text().splitlines() if f" host={device} " in line]


def test_the_run_exits_2_within_the_bound_of_its_timeouts(matrix_run: tuple[int, Path, float]) -> None:
    code, _, elapsed = matrix_run
    assert code == 2
    # Every device at once (workers and login gate at least the devices): one device's bound, plus the run's own
    # work. Without the bounds the `slow` devices alone would take a minute per reply (lab.session.SLOW_REPLY_S).
    assert math.ceil(DEVICES / (2 * DEVICES)) == 1
    assert elapsed <= DEVICE_BOUND_S + OVERHEAD_S, f"{elapsed:.1f} s"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_each_fault_is_an_error_row_saying_what_happened(folder: Path, platform: str) -> None:
    errors = {row["Device"]: row for row in sheet_rows(folder / "report.xlsx", "Errors")}
    for fault, (stage, says, retried) in EXPECTED.items():
        row = errors[_name(platform, fault)]
        assert (row["Stage"], fault) == (stage, fault), row
        assert says in row["Error"], (fault, row)
        attempts = f"({RETRIES + 1} attempts)"
        assert (attempts in row["Error"]) is retried, (fault, row)
    assert set(errors) == {_name(p, f) for p in PLATFORMS for f in EXPECTED}


def test_every_other_device_completes(folder: Path) -> None:
    devices = {row["Device"]: row["Verdict"] for row in sheet_rows(folder / "report.xlsx", "Devices")}
    completed = {name for name, verdict in devices.items() if verdict != "ERROR"}
    assert completed == {_name(p, kind) for p in PLATFORMS for kind in ("ok", *RECOVERS)}
    results = json.loads((folder / "results.json").read_text())["hosts"]
    assert all(results[name]["facts"]["model"] for name in completed)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_flapping_device_is_audited_after_its_retries_each_logged(folder: Path, platform: str) -> None:
    retries = [line for line in _log_lines(folder, _name(platform, "flap")) if "retrying in" in line]
    assert len(retries) == FLAP_RESETS
    for number, line in enumerate(retries, start=1):
        assert re.search(rf"attempt {number} of {RETRIES + 1} failed: .+; retrying in \d+\.\d s$", line), line


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_device_that_pages_is_audited_whole(folder: Path, platform: str) -> None:
    name = _name(platform, "pager")
    (entry,) = [d for d in ESTATE["customers"]["faults"]["sites"]["lab1"]["devices"] if d["name"] == name]
    results = json.loads((folder / "results.json").read_text())["hosts"][name]
    assert results["status"] == "ok"
    # every optic of the estate file read, though the output came a page at a time (lab.session.PAGE_LINES)
    assert sorted(t["port"] for t in results["transceivers"]) == sorted(o["port"] for o in entry["optics"])
    assert any("paging was not disabled" in line for line in _log_lines(folder, name))


def test_no_retry_after_an_authentication_failure_or_a_hang(folder: Path) -> None:
    for platform in PLATFORMS:
        for fault in ("auth_fail", "hang", "endless_banner"):
            assert not [line for line in _log_lines(folder, _name(platform, fault)) if "attempt" in line]


def test_a_device_outlasting_host_timeout_is_an_error_and_the_run_goes_on(
    bounded_run: tuple[int, Path, float],
) -> None:
    code, folder, elapsed = bounded_run
    assert code == 2
    errors = {row["Device"]: row for row in sheet_rows(folder / "report.xlsx", "Errors")}
    assert set(errors) == {_name(p, "laggy") for p in PLATFORMS}
    for row in errors.values():
        assert row["Stage"] == "timeout", row
        assert f"host_timeout_s ({BOUNDED_HOST_TIMEOUT:g} s)" in row["Error"], row
    devices = {row["Device"]: row["Verdict"] for row in sheet_rows(folder / "report.xlsx", "Devices")}
    assert devices["bounded-ok"] == "PASS"
    # Each stopped at its bound, not after its replies (at least 5 x 2 s each).
    assert elapsed <= BOUNDED_HOST_TIMEOUT + LOGIN_S + NETMIKO_PAUSE_S + WAIT_S + OVERHEAD_S, f"{elapsed:.1f} s"
