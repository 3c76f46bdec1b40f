"""tasks/collect.py through a real Nornir object whose connection plugin is a fake answering from recorded
fixture outputs: the parse of what the device said, one send per command, a ParseError failing the host. No socket.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from nornir.core import Nornir
from nornir.core.configuration import Config
from nornir.core.inventory import ConnectionOptions, Defaults, Groups, Host, Hosts, Inventory
from nornir.core.plugins.connections import ConnectionPluginRegister
from nornir.core.task import AggregatedResult, Result, Task
from nornir.plugins.runners import SerialRunner

from tasks.collect import close_connection, collect_facts, collect_outputs, collect_transceivers
from tasks.connection import CONNECTION_NAME
from tasks.errors import CommandError, ParseError
from tests.fixture_cases import assert_fields

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def fixture(platform: str, command: str, case: str) -> str:
    return (FIXTURES / platform / command / f"{case}.txt").read_text(encoding="utf-8")


def expected(platform: str, command: str, case: str) -> dict[str, Any]:
    data = yaml.safe_load((FIXTURES / platform / command / f"{case}.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


class FakeSession:
    """What tasks.connection.send_command talks to: answers each command from `replies`, records what was sent."""

    def __init__(self, replies: dict[str, str], prompt: str) -> None:
        self.replies = replies
        self.base_prompt = prompt
        self.sent: list[str] = []
        self.closed = False

    def send_command(self, command: str, auto_find_prompt: bool = True) -> str:
        self.sent.append(command)
        reply = self.replies.get(command)
        if reply is None:
            raise OSError(f"fake device does not know {command!r}")
        return reply


SESSIONS: dict[str, FakeSession] = {}  # host name -> its session, for the assertions


class FakeConnection:
    """A Nornir connection plugin: the host's `extras` hold the replies and the prompt."""

    def open(
        self,
        hostname: str | None,
        username: str | None,
        password: str | None,
        port: int | None,
        platform: str | None,
        extras: dict[str, Any] | None = None,
        configuration: Config | None = None,
    ) -> None:
        extras = extras or {}
        self.connection = FakeSession(extras["replies"], extras.get("prompt", ""))
        SESSIONS[extras["name"]] = self.connection

    def close(self) -> None:
        self.connection.closed = True


@pytest.fixture(autouse=True)
def fake_connection() -> Iterator[None]:
    """The fake plugin under the name tasks.connection registers its own; the real one is put back after."""
    real = ConnectionPluginRegister.available[CONNECTION_NAME]
    ConnectionPluginRegister.deregister(CONNECTION_NAME)
    ConnectionPluginRegister.register(CONNECTION_NAME, FakeConnection)
    SESSIONS.clear()
    try:
        yield
    finally:
        ConnectionPluginRegister.deregister(CONNECTION_NAME)
        ConnectionPluginRegister.register(CONNECTION_NAME, real)


def nornir_of(platform: str, replies: dict[str, str], prompt: str = "", name: str = "dev1") -> Nornir:
    """A Nornir object with one in-memory host of `platform` whose device answers `replies`."""
    options = {CONNECTION_NAME: ConnectionOptions(extras={"replies": replies, "prompt": prompt, "name": name})}
    host = Host(name, hostname="192.0.2.1", platform=platform, connection_options=options, defaults=Defaults())
    inventory = Inventory(hosts=Hosts({name: host}), groups=Groups(), defaults=Defaults())
    return Nornir(inventory=inventory, runner=SerialRunner())


def facts_and_optics(task: Task) -> Result:
    """What the audit does per host: facts, then transceivers on the same outputs, then close."""
    outputs: dict[str, str] = {}
    try:
        facts = collect_facts(task, outputs).result
        optics = collect_transceivers(task, outputs).result
    finally:
        close_connection(task)
    return Result(host=task.host, result=(facts, optics))


def run(nr: Nornir, task: Callable[..., Result], **kwargs: Any) -> AggregatedResult:
    return nr.run(task=task, **kwargs)


PANOS_INFO = "public-notes_pa-vm_11.0.0_with_prompt"
PANOS_STATE = "pr111_oem_pan-sfp-plus-sr"
PANOS_REPLIES = {
    "show system info": fixture("paloalto_panos", "show_system_info", PANOS_INFO),
    "show system state filter sys.s*.p*.phy": fixture("paloalto_panos", "show_system_state", PANOS_STATE),
}


def test_facts_and_transceivers_are_parsed_from_what_the_device_answered() -> None:
    result = run(nornir_of("paloalto_panos", PANOS_REPLIES, prompt="admin@Netlab-PA(active)"), facts_and_optics)
    assert not result.failed
    facts, optics = result["dev1"][0].result
    want = expected("paloalto_panos", "show_system_info", PANOS_INFO)["facts"]
    assert_fields(facts.to_dict(), {**want, "ha_state": "active"}, PANOS_INFO)  # HA state: from the prompt
    assert [o.to_dict() for o in optics] == expected("paloalto_panos", "show_system_state", PANOS_STATE)["transceivers"]
    session = SESSIONS["dev1"]
    assert session.sent == ["show system info", "show system state filter sys.s*.p*.phy"]
    assert session.closed


JUNOS = "oxidized_srx300_22.4_wo_cluster"
PIC = "show_chassis_pic_fpc-slot_pic-slot"
JUNOS_REPLIES = {
    "show version": fixture("juniper_junos", "show_version", JUNOS),
    "show chassis hardware": fixture("juniper_junos", "show_chassis_hardware", JUNOS),
    "show system uptime": fixture("juniper_junos", "show_system_uptime", "ntc-templates_1"),
    "show chassis pic fpc-slot 0 pic-slot 0": fixture("juniper_junos", PIC, "genieparser_1"),
}


def test_a_command_two_tasks_need_is_sent_once() -> None:
    # JunOS reads `show chassis hardware` for the chassis serial (facts) and for the optics (transceivers).
    result = run(nornir_of("juniper_junos", JUNOS_REPLIES), facts_and_optics)
    assert not result.failed, result["dev1"][0].exception
    facts, optics = result["dev1"][0].result
    hardware = expected("juniper_junos", "show_chassis_hardware", JUNOS)
    assert facts.serial == hardware["chassis"]["serial"] and facts.version == "22.4R3-S2.11"
    assert [(o.port, o.part, o.serial) for o in optics] == [
        (t["port"], t["part"], t["serial"]) for t in hardware["transceivers"]
    ]
    sent = SESSIONS["dev1"].sent
    assert sent.count("show chassis hardware") == 1
    assert len(sent) == len(set(sent))


def test_collect_outputs_sends_only_what_is_not_yet_known() -> None:
    def task(task: Task) -> Result:
        outputs = {"facts": "already read"}
        return collect_outputs(task, ["facts", "transceivers"], outputs)

    result = run(nornir_of("paloalto_panos", PANOS_REPLIES), task)
    assert result["dev1"][0].result == {
        "facts": "already read",
        "transceivers": PANOS_REPLIES["show system state filter sys.s*.p*.phy"],
    }
    assert SESSIONS["dev1"].sent == ["show system state filter sys.s*.p*.phy"]


def test_output_the_platform_does_not_print_fails_the_host_with_a_parse_error() -> None:
    replies = {**PANOS_REPLIES, "show system info": "% Unknown command: garbage\n"}
    result = run(nornir_of("paloalto_panos", replies), facts_and_optics)
    assert result.failed and result["dev1"].failed
    assert isinstance(result["dev1"][0].exception, ParseError)
    assert SESSIONS["dev1"].closed  # closed in the task, even when it failed


def test_a_session_lost_mid_command_is_a_command_error() -> None:
    replies = {"show system info": PANOS_REPLIES["show system info"]}  # the transceiver command finds no answer
    result = run(nornir_of("paloalto_panos", replies), facts_and_optics)
    exc = result["dev1"][0].exception
    assert isinstance(exc, CommandError) and "session lost" in str(exc)


# The multi-VDOM FortiGate-501E oxidized recorded: its status says `Virtual domain configuration: multiple`;
# it answered `get system interface transceiver` inside `config global` (echo and `(global)` prompt kept).
VDOM_UNIT = "oxidized_FortiGate-501E_vdomHAdown"
VDOM_REPLIES = {
    "get system status": fixture("fortinet", "get_system_status", VDOM_UNIT),
    "config global": "config global\r\r\n\r\nOXI-FW121 (global) # ",
    "get system interface transceiver": fixture("fortinet", "get_system_interface_transceiver", VDOM_UNIT),
    "end": "end\r\r\n\r\nOXI-FW121 # ",
}


def test_a_multi_vdom_fortigate_is_asked_for_its_optics_inside_config_global() -> None:
    result = run(nornir_of("fortinet", VDOM_REPLIES, prompt="OXI-FW121"), facts_and_optics)
    assert not result.failed, result["dev1"][0].exception
    facts, optics = result["dev1"][0].result
    assert facts.hostname == "OXI-FW121"
    assert optics == []  # the 501E's cages were all empty
    assert SESSIONS["dev1"].sent == ["get system status", "config global", "get system interface transceiver", "end"]


def test_per_vdom_commands_run_in_the_current_vdom_and_global_ones_once_in_config_global() -> None:
    def task(task: Task) -> Result:
        outputs = {"facts": VDOM_REPLIES["get system status"]}
        return collect_outputs(task, ["ha_status", "disk", "routes", "arp", "config"], outputs)

    replies = {
        **VDOM_REPLIES,
        **{c: "" for c in ("get system ha status", "diagnose hardware deviceinfo disk", "config vdom", "edit root")},
        **{c: "" for c in ("get router info routing-table all", "get system arp", "show")},
    }
    result = run(nornir_of("fortinet", replies, prompt="OXI-FW121"), task)
    assert not result.failed, result["dev1"][0].exception
    assert SESSIONS["dev1"].sent == [
        *("config global", "get system ha status", "diagnose hardware deviceinfo disk", "end"),
        *("config vdom", "edit root", "get router info routing-table all", "get system arp", "end"),
        "show",  # the whole configuration, at the top level (the 501E's `show` was sent there)
    ]


def test_a_context_the_session_may_not_enter_is_a_command_error_naming_it() -> None:
    refused = "config global\r\r\n\r\ncommand parse error before 'global'\r\nCommand fail. Return code -61\r\n"
    result = run(nornir_of("fortinet", {**VDOM_REPLIES, "config global": refused}), facts_and_optics)
    exc = result["dev1"][0].exception
    assert isinstance(exc, CommandError)
    assert str(exc) == "'config global' refused: command parse error before 'global'; Command fail. Return code -61"
    assert SESSIONS["dev1"].sent == ["get system status", "config global"]
