"""Readiness and snapshot read what could be read (issue 8, item 9): one output that was not read, or is not
what the OS prints, makes only its own value unknown. A readiness check whose command failed is ERROR with the
reason; a check that was not selected never makes the device worse; a snapshot counter not read is None.
Outputs are recorded real ones (tests/fixtures); the garbage is ours.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml

from tasks.checks import readiness as r
from tasks.checks.preupgrade import run_readiness
from tasks.checks.upgrade_path import UpgradePlan
from tasks.models import Facts, Verdict
from tasks.models.readiness import NotReported
from tasks.platforms import get_platform
from tasks.platforms.base import Readiness, Snapshotting, read_what_parses

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
GARBAGE = "\n~}{ 0x7f&&\n%%%% qq\n\n"
TODAY = date(2026, 11, 26)


def fixture(platform: str, command: str, case: str) -> str:
    return (FIXTURES / platform / command / f"{case}.txt").read_text(encoding="utf-8")


def _readiness(platform: str) -> Readiness:
    readiness = get_platform(platform).readiness
    assert isinstance(readiness, Readiness)
    return readiness


PANOS = {
    "jobs": fixture("paloalto_panos", "show_jobs_all", "ntc-templates_fqdnrefresh"),
    "ntp": fixture("paloalto_panos", "show_ntp", "public-parser_synched"),
}
PANOS_FACTS = Facts("fw1", "PA-VM", "0001", "11.0.0", extra={"app-version": "8635-7675"})
PLAN = UpgradePlan("fw1", "PA-VM", "11.0.0", "11.0.0", (), Verdict.PASS)


def test_a_garbage_output_makes_only_its_own_field_unknown() -> None:
    state = _readiness("paloalto_panos").read({**PANOS, "ntp": GARBAGE}, PANOS_FACTS)
    assert isinstance(state.ntp, NotReported) and "show ntp" in state.ntp.reason
    # `show jobs all` is still read: as many jobs as its expected parse beside the fixture counts.
    want = yaml.safe_load((FIXTURES / "paloalto_panos/show_jobs_all/ntc-templates_fqdnrefresh.yaml").read_text())
    assert isinstance(state.jobs, tuple) and len(state.jobs) == want["count"]


def test_a_check_whose_output_was_not_read_is_error_with_the_command_and_the_others_judged() -> None:
    state = _readiness("paloalto_panos").read({**PANOS, "ntp": GARBAGE}, PANOS_FACTS)
    results = {c.name: c for c in run_readiness(state, PLAN, TODAY, [r.NTP_SYNC, r.RUNNING_JOBS, r.HA_PEER])}
    assert results[r.NTP_SYNC].verdict is Verdict.ERROR and "show ntp" in results[r.NTP_SYNC].reason
    assert results[r.RUNNING_JOBS].verdict is Verdict.PASS  # every job of the fixture is finished
    # `show high-availability all` was not sent (or failed): its check says which command was not read.
    assert results[r.HA_PEER].verdict is Verdict.ERROR
    assert results[r.HA_PEER].reason == "'show high-availability all' was not read"


def test_a_check_that_was_not_selected_never_makes_the_device_worse_even_on_garbage() -> None:
    outputs = {purpose: GARBAGE for purpose in _readiness("paloalto_panos").commands}
    state = _readiness("paloalto_panos").read({**outputs, **PANOS}, PANOS_FACTS)
    results = run_readiness(state, PLAN, TODAY, [r.NTP_SYNC])
    assert [(c.name, c.verdict) for c in results] == [(r.NTP_SYNC, Verdict.PASS)]


def test_fortios_readiness_reads_each_field_on_its_own() -> None:
    status = fixture("fortinet", "get_system_status", _first_case("get_system_status"))
    outputs = {"facts": status, "ntp": GARBAGE}
    facts = get_platform("fortinet").parse_facts({"facts": status}, "")
    state = _readiness("fortinet").read(outputs, facts)
    assert isinstance(state.ntp, NotReported) and "diagnose sys ntp status" in state.ntp.reason
    assert isinstance(state.ha, NotReported) and state.ha.reason == "'get system ha status' was not read"
    assert not isinstance(state.content, NotReported)


def _first_case(command: str) -> str:
    return sorted(p.stem for p in (FIXTURES / "fortinet" / command).glob("*.txt"))[0]


def test_a_run_sends_only_the_commands_of_the_checks_it_runs() -> None:
    readiness = _readiness("paloalto_panos")
    assert readiness.commands_for([r.NTP_SYNC]) == ("ntp",)
    assert set(readiness.commands_for(r.ALL_CHECKS)) == set(readiness.commands)


def test_a_snapshot_counter_whose_output_cannot_be_read_is_none_and_the_rest_is_kept() -> None:
    snapshotting = get_platform("paloalto_panos").snapshot
    assert isinstance(snapshotting, Snapshotting)
    own = {
        "routes": fixture("paloalto_panos", "show_routing_route", "ntc-templates_filtered-bgp-ospf"),
        "sessions": GARBAGE,
    }
    snapshot, unreadable = read_what_parses(lambda o: snapshotting.read(o, PANOS_FACTS, []), {}, own)
    assert snapshot.sessions is None and snapshot.routes is not None
    assert list(unreadable) == ["sessions"] and "show session info" in unreadable["sessions"]
