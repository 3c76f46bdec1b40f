"""A supplementary command that fails is not a dead device (issue 8, item 9), through real Nornir and a fake
session answering from recorded outputs: the device keeps its facts and optics, what the command would have
told is unknown, and the failure is a WARN `collection` finding naming the command and the device's answer.
An essential command (facts, optics) that fails still fails the host. No socket.

The error answers are the OSes' own: IOS `% Invalid input detected at '^' marker.` (shared/reference/cli
session transcripts); Junos `syntax error, expecting <command>.` after a caret line.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from nornir.core.task import Result, Task

from tasks.checks.collection import COLLECTION, collection_findings
from tasks.collect import close_connection, collect_facts, collect_outputs, collect_transceivers
from tasks.errors import CommandError, CommandRefused
from tasks.matrix import load_matrix
from tasks.models import CommandFailure, FailureKind, HostRecord, Verdict
from tests.unit.test_collect import JUNOS_REPLIES, SESSIONS, expected, fake_connection, fixture, nornir_of, run
from workflows.audit import AuditContext, audit_host

__all__ = ["fake_connection"]  # the autouse fixture, imported to apply here too

MATRICES = Path(__file__).resolve().parents[2] / "matrices"
PIC_COMMAND = "show chassis pic fpc-slot 0 pic-slot 0"
# What Junos answers a command the login class may not run (it is hidden, so unknown): caret, then the error.
JUNOS_REFUSAL = f"{PIC_COMMAND}\n                   ^\nsyntax error, expecting <command>.\n"
IOS_REFUSAL = "                ^\n% Invalid input detected at '^' marker.\n"


def facts_optics_failures(task: Task) -> Result:
    """What the audit collects: facts and optics, the optics' follow-ups supplementary."""
    outputs: dict[str, str] = {}
    failures: list[CommandFailure] = []
    try:
        facts = collect_facts(task, outputs).result
        optics = collect_transceivers(task, outputs, failures).result
    finally:
        close_connection(task)
    return Result(host=task.host, result=(facts, optics, failures))


def test_a_refused_junos_pic_command_leaves_the_optics_read_with_their_vendor_unknown() -> None:
    replies = {**JUNOS_REPLIES, PIC_COMMAND: JUNOS_REFUSAL}
    result = run(nornir_of("juniper_junos", replies), facts_optics_failures)
    assert not result.failed, result["dev1"][0].exception
    facts, optics, failures = result["dev1"][0].result
    assert facts.version == "22.4R3-S2.11"
    # From the fixture's `show chassis hardware`: one Juniper optic, its vendor name only in the PIC output.
    assert [(o.port, o.part, o.serial, o.vendor) for o in optics] == [("ge-0/0/6", "740-031850", "S2001411089", "")]
    assert failures == [
        CommandFailure("pic 0/0", PIC_COMMAND, FailureKind.REFUSED, "syntax error, expecting <command>.")
    ]


def test_an_unreadable_follow_up_output_is_left_out_and_recorded() -> None:
    replies = {**JUNOS_REPLIES, PIC_COMMAND: "~~ nothing Junos prints ~~\n"}
    result = run(nornir_of("juniper_junos", replies), facts_optics_failures)
    assert not result.failed, result["dev1"][0].exception
    _, optics, failures = result["dev1"][0].result
    assert [o.vendor for o in optics] == [""]
    assert [(f.command, f.kind) for f in failures] == [(PIC_COMMAND, FailureKind.UNREADABLE)]
    assert "show chassis pic" in failures[0].answer


IOS_VERSION = fixture("cisco_ios", "show_version", "genieparser_c9300")
IOS_INVENTORY = fixture("cisco_ios", "show_inventory", "genieparser_c9500x_28c8d")
IOS_IDPROM = fixture("cisco_ios", "show_idprom_interface", "genieparser_1")  # Vendor Name CISCO-ACCELINK
# The fixture's eight optics, in order, from its expected parse (written by hand against the text).
IOS_PORTS = [t["port"] for t in expected("cisco_ios", "show_inventory", "genieparser_c9500x_28c8d")["transceivers"]]


def test_a_refused_ios_idprom_leaves_that_optic_vendor_unknown_and_the_others_read() -> None:
    replies = {"show version": IOS_VERSION, "show inventory": IOS_INVENTORY}
    replies |= {f"show idprom interface {port}": IOS_IDPROM for port in IOS_PORTS}
    replies[f"show idprom interface {IOS_PORTS[1]}"] = IOS_REFUSAL
    result = run(nornir_of("cisco_ios", replies), facts_optics_failures)
    assert not result.failed, result["dev1"][0].exception
    _, optics, failures = result["dev1"][0].result
    assert [o.port for o in optics] == IOS_PORTS
    assert [o.vendor for o in optics] == ["CISCO-ACCELINK", "", *["CISCO-ACCELINK"] * 6]
    assert all(o.part == "QSFP-H40G-AOC3M" for o in optics)  # the part comes from show inventory
    assert [(f.command, f.kind, f.answer) for f in failures] == [
        (
            f"show idprom interface {IOS_PORTS[1]}",
            FailureKind.REFUSED,
            "% Invalid input detected at '^' marker.",
        )
    ]


def test_after_a_lost_session_the_optics_read_stay_and_later_follow_ups_are_not_sent() -> None:
    replies = {"show version": IOS_VERSION, "show inventory": IOS_INVENTORY}
    replies |= {f"show idprom interface {port}": IOS_IDPROM for port in IOS_PORTS if port != IOS_PORTS[2]}
    result = run(nornir_of("cisco_ios", replies), facts_optics_failures)  # no answer = the session is lost
    assert not result.failed, result["dev1"][0].exception
    _, optics, failures = result["dev1"][0].result
    assert [o.port for o in optics] == IOS_PORTS
    assert [o.vendor for o in optics] == ["CISCO-ACCELINK"] * 2 + [""] * 6
    assert failures[0].kind is FailureKind.FAILED and "session lost" in failures[0].answer
    assert [f.kind for f in failures[1:]] == [FailureKind.NOT_SENT] * 5
    assert f"show idprom interface {IOS_PORTS[3]}" not in SESSIONS["dev1"].sent
    messages = [f.message for f in collection_findings(failures)]
    assert len(messages) == 2 and "session lost" in messages[0]
    assert "not sent" in messages[1] and f"'show idprom interface {IOS_PORTS[-1]}'" in messages[1]


def test_a_session_lost_before_the_optics_are_read_still_fails_the_host() -> None:
    replies = {"show version": IOS_VERSION}  # `show inventory` (essential) finds no answer
    result = run(nornir_of("cisco_ios", replies), facts_optics_failures)
    exc = result["dev1"][0].exception
    assert result.failed and isinstance(exc, CommandError) and "session lost" in str(exc)


def test_an_essential_command_the_os_refuses_fails_the_host_naming_the_answer() -> None:
    replies = {"show version": IOS_VERSION, "show inventory": IOS_REFUSAL}
    result = run(nornir_of("cisco_ios", replies), facts_optics_failures)
    exc = result["dev1"][0].exception
    assert isinstance(exc, CommandRefused) and exc.stage == "command"
    assert str(exc) == "'show inventory': refused by the device: % Invalid input detected at '^' marker."


def test_collect_outputs_records_a_refused_supplementary_command_and_goes_on() -> None:
    def task(task: Task) -> Result:
        failures: list[CommandFailure] = []
        outputs = collect_outputs(task, ["version", "uptime", "hardware"], {}, failures).result
        return Result(host=task.host, result=(outputs, failures))

    replies = {**JUNOS_REPLIES, "show system uptime": "\nerror: permission denied\n"}
    outputs, failures = run(nornir_of("juniper_junos", replies), task)["dev1"][0].result
    assert sorted(outputs) == ["hardware", "version"]
    assert [(f.command, f.answer) for f in failures] == [("show system uptime", "error: permission denied")]


def test_the_audit_of_a_device_with_a_refused_follow_up_is_warn_with_its_facts_and_optics() -> None:
    replies = {**JUNOS_REPLIES, PIC_COMMAND: JUNOS_REFUSAL}
    context = AuditContext({"juniper_junos": load_matrix("juniper_junos", MATRICES)}, {}, {}, date(2026, 11, 26))
    nr = nornir_of("juniper_junos", replies)
    nr.inventory.hosts["dev1"].data.update({"customer": "acme", "site": "lon1"})
    result = nr.run(task=audit_host, context=context)
    assert not result.failed, result["dev1"][0].exception
    record = result["dev1"][0].result
    assert isinstance(record, HostRecord) and record.status == "ok"
    assert record.facts is not None and record.facts.version == "22.4R3-S2.11"
    assert [o.transceiver.port for o in record.optics] == ["ge-0/0/6"]
    collection = [f for f in record.findings if f.check == COLLECTION]
    assert [(f.verdict, f.message) for f in collection] == [
        (
            Verdict.WARN,
            f"{PIC_COMMAND!r} refused by the device: syntax error, expecting <command>.; what it reads is unknown",
        )
    ]
    assert record.verdict is not Verdict.ERROR
