"""The lab over real SSH: netmiko's own PAN-OS driver, faults, latency, inventory, stop."""

from __future__ import annotations

import logging
import os
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paramiko
import pytest
import yaml
from netmiko import (
    ConnectHandler,
    NetmikoAuthenticationException,
    NetmikoTimeoutException,
    ReadTimeout,
)
from netmiko.base_connection import BaseConnection
from ntc_templates.parse import parse_output

from lab import control
from lab.state import LabInfo
from tests.integration.conftest import netmiko_params, running_lab

pytestmark = pytest.mark.integration

LATENCY_MS = 400
# Bounds for a hung device: read_timeout_override caps session_preparation's reads (20 s by default),
# conn/auth/banner timeouts cap the TCP connect, the SSH banner and authentication.
SHORT = {"conn_timeout": 3, "auth_timeout": 3, "banner_timeout": 3, "read_timeout_override": 3}

OEM = {"port": "ethernet1/5", "type": "10GBASE-SR", "vendor": "OEM", "part": "PAN-SFP-PLUS-SR"}
FINISAR = {
    "port": "ethernet1/6",
    "type": "10GBASE-LR",
    "vendor": "FINISAR CORP.",
    "part": "FTLX1471D3BCL",
    "serial": "FNS1234",
}


def _fw(name: str, model: str = "PA-850", **extra: Any) -> dict[str, Any]:
    return {"name": name, "platform": "paloalto_panos", "model": model, "version": "10.1.9", **extra}


ESTATE = {
    "customers": {
        "acme": {
            "sites": {
                "lon1": {
                    "devices": [
                        _fw(
                            "acme-lon1-fw01",
                            "PA-5220",
                            version="9.1.14",
                            role="edge-fw",
                            optics=[OEM, FINISAR],
                            ha={"peer": "acme-lon1-fw02", "state": "active"},
                        ),
                        _fw(
                            "acme-lon1-fw02",
                            "PA-5220",
                            version="9.1.14",
                            role="edge-fw",
                            optics=[OEM, FINISAR],
                            ha={"peer": "acme-lon1-fw01", "state": "passive"},
                        ),
                        _fw("acme-lon1-fw03", latency_ms=LATENCY_MS),
                    ]
                }
            }
        },
        "faulty": {
            "sites": {
                "lab1": {
                    "devices": [
                        _fw(f"faulty-lab1-{fault}", faults=[fault])
                        for fault in ("refuse", "auth_fail", "hang", "drop", "garbage", "slow")
                    ]
                }
            }
        },
    }
}


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabInfo]:
    with running_lab(tmp_path_factory.mktemp("lab"), ESTATE) as info:
        yield info


def _params(lab: LabInfo, name: str, **extra: Any) -> dict[str, Any]:
    return netmiko_params(lab, name, "paloalto_panos", **extra)


def _quick_close(conn: BaseConnection) -> None:
    """Skip PAN-OS disconnect()'s 2 s settle time: say exit and drop the transport."""
    conn.write_channel("exit\n")
    conn.paramiko_cleanup()


@pytest.fixture(scope="module")
def fw01(lab: LabInfo) -> Iterator[BaseConnection]:
    conn = ConnectHandler(**_params(lab, "acme-lon1-fw01"))
    yield conn
    _quick_close(conn)


def test_login_and_show_system_info_parses(fw01: BaseConnection) -> None:
    raw = fw01.send_command("show system info")
    (facts,) = parse_output(platform="paloalto_panos", command="show system info", data=raw)
    assert (facts["hostname"], facts["model"], facts["os"]) == ("acme-lon1-fw01", "PA-5220", "9.1.14")
    assert facts["operational_mode"] == "normal"


def test_ha_prompt_and_state(fw01: BaseConnection) -> None:
    assert fw01.base_prompt == "admin@acme-lon1-fw01(active)"
    output = fw01.send_command("show high-availability state")
    assert "State: active" in output and "State: passive" in output and "Connection status: up" in output


def test_system_state_lists_optics(fw01: BaseConnection) -> None:
    lines = fw01.send_command("show system state filter sys.s1.p*.phy").strip().splitlines()
    by_key = {line.split(":", 1)[0]: line for line in lines}
    assert len(by_key) == 24  # PA-5220: 4 copper, 16 SFP+, 4 QSFP+
    p5, p6 = by_key["sys.s1.p5.phy"], by_key["sys.s1.p6.phy"]
    assert "'media': SFP-Plus-Fiber, 'sfp': { 'connector': LC," in p5
    assert "'vendor-name': OEM             , 'vendor-part-number': PAN-SFP-PLUS-SR ," in p5
    assert "'vendor-name': FINISAR CORP.   , 'vendor-part-number': FTLX1471D3BCL   ," in p6
    assert "'vendor-serial-number': FNS1234         ," in p6
    copper = "sys.s1.p1.phy: { 'link-partner': { }, 'media': CAT5, 'type': Ethernet, }"
    assert by_key["sys.s1.p1.phy"] == copper
    one = fw01.send_command("show system state filter sys.s1.p6.phy").strip()
    assert one.startswith("sys.s1.p6.phy: {") and "\n" not in one


def test_interface_hardware_parses(fw01: BaseConnection) -> None:
    rows = fw01.send_command("show interface hardware", use_textfsm=True)
    assert isinstance(rows, list)
    speeds = {row["interface"]: row["speed"] for row in rows}
    assert speeds["ethernet1/5"] == "10000"


def test_unknown_command_gives_panos_error(fw01: BaseConnection) -> None:
    assert fw01.send_command("show foo").strip() == "Unknown command: foo"
    assert fw01.send_command("show system").strip() == "Invalid syntax."


def test_disk_space(fw01: BaseConnection) -> None:
    output = fw01.send_command("show system disk-space")
    header = output.strip().splitlines()[0].split()
    assert header == ["Filesystem", "Size", "Used", "Avail", "Use%", "Mounted", "on"]
    assert "/opt/panrepo" in output


def test_latency_is_observable(lab: LabInfo) -> None:
    conn = ConnectHandler(**_params(lab, "acme-lon1-fw03"))
    try:
        start = time.monotonic()
        conn.send_command("show clock", auto_find_prompt=False)
        assert time.monotonic() - start >= LATENCY_MS / 1000
    finally:
        _quick_close(conn)


def test_refuse_is_connection_refused(lab: LabInfo) -> None:
    # Refused, not timed out: a closed port answers at once (a timeout would raise TimeoutError instead).
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", lab.devices["faulty-lab1-refuse"]), timeout=3)


def test_auth_fail_is_authentication_error(lab: LabInfo) -> None:
    with pytest.raises(NetmikoAuthenticationException):
        ConnectHandler(**_params(lab, "faulty-lab1-auth_fail", **SHORT))


def test_wrong_password_is_rejected(lab: LabInfo) -> None:
    params = _params(lab, "acme-lon1-fw03", **SHORT)
    params["password"] = "not-the-password"
    with pytest.raises(NetmikoAuthenticationException):
        ConnectHandler(**params)


def test_hang_times_out_within_bound(lab: LabInfo) -> None:
    start = time.monotonic()
    with pytest.raises((NetmikoTimeoutException, ReadTimeout)):
        ConnectHandler(**_params(lab, "faulty-lab1-hang", **SHORT))
    # session_preparation's first read (3 s) plus disconnect()'s check_config_mode read (3 s); without the
    # override netmiko would wait 20 s + 10 s. The bound only tells the two apart (no speed is measured here).
    assert time.monotonic() - start < 20


def test_slow_times_out_within_bound(lab: LabInfo) -> None:
    start = time.monotonic()
    with pytest.raises((NetmikoTimeoutException, ReadTimeout)):
        ConnectHandler(**_params(lab, "faulty-lab1-slow", **SHORT))
    assert time.monotonic() - start < 20  # a slow reply takes 60 s: the 3 s read timeout must cut it


def _read_until(chan: paramiko.Channel, marker: bytes, timeout: float = 5) -> bytes:
    data, deadline = b"", time.monotonic() + timeout
    while marker not in data and time.monotonic() < deadline:
        if chan.recv_ready():
            data += chan.recv(65536)
        elif chan.exit_status_ready() and not chan.recv_ready():
            break
        else:
            time.sleep(0.01)
    return data


def test_plain_password_auth_echo_typeahead_and_exit(lab: LabInfo) -> None:
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(
        "127.0.0.1",
        port=lab.devices["acme-lon1-fw02"],
        username=lab.username,
        password=lab.password,
        look_for_keys=False,
        allow_agent=False,
        timeout=5,
    )
    try:
        chan = client.invoke_shell(term="vt100", width=511, height=1000)
        prompt = b"admin@acme-lon1-fw02(passive)> "
        assert _read_until(chan, prompt).endswith(prompt)
        chan.send(b"show clock\nshow foo\r\n\n")  # typed ahead, mixed line endings
        text = _read_until(chan, b"foo\r\n\r\nUnknown command: foo\r\n\r\n" + prompt + b"\r\n" + prompt)
        assert text.startswith(b"show clock\r\n\r\n")
        assert text.index(b"UTC") < text.index(b"show foo\r\n")
        chan.send(b"exit\n")
        assert _read_until(chan, b"never") == b"exit\r\n"
        assert chan.recv_exit_status() == 0
    finally:
        client.close()


def test_drop_cuts_the_connection_at_first_real_command(lab: LabInfo) -> None:
    conn = ConnectHandler(**_params(lab, "faulty-lab1-drop", **SHORT))  # session preparation is spared
    with pytest.raises((OSError, EOFError, ReadTimeout)):
        conn.send_command("show system state filter sys.s1.p*.phy", auto_find_prompt=False)
    conn.paramiko_cleanup()


def test_garbage_answers_junk_but_prompts(lab: LabInfo) -> None:
    conn = ConnectHandler(**_params(lab, "faulty-lab1-garbage", **SHORT))
    try:
        output = conn.send_command("show system info")
        assert output.strip() and "hostname" not in output and ":" not in output
        assert parse_output(platform="paloalto_panos", command="show system info", data=output) == []
    finally:
        _quick_close(conn)


def test_inventory_files(lab: LabInfo) -> None:
    out = lab.inventory
    assert out is not None
    read = lambda rel: yaml.safe_load((out / rel).read_text(encoding="utf-8"))  # noqa: E731
    assert (out / "defaults.yaml").read_text(encoding="utf-8").strip() == "{}"
    assert read("groups.yaml") == {
        "paloalto_panos": {"platform": "paloalto_panos"},
        "edge-fw": {"data": {"role": "edge-fw"}},
        "firewall": {"data": {"role": "firewall"}},
    }
    assert read("acme/groups.yaml") == {
        "acme": {"data": {"customer": "acme"}},
        "acme-lon1": {"groups": ["acme"], "data": {"customer": "acme", "site": "lon1"}},
    }
    hosts = read("acme/hosts.yaml")
    assert list(hosts) == ["acme-lon1-fw01", "acme-lon1-fw02", "acme-lon1-fw03"]
    assert hosts["acme-lon1-fw01"] == {
        "hostname": "127.0.0.1",
        "port": lab.devices["acme-lon1-fw01"],
        "platform": "paloalto_panos",
        "groups": ["acme-lon1", "edge-fw", "paloalto_panos"],
        "data": {"customer": "acme", "site": "lon1", "role": "edge-fw", "model": "PA-5220"},
    }
    assert read("faulty/hosts.yaml")["faulty-lab1-refuse"]["port"] == lab.devices["faulty-lab1-refuse"]
    assert lab.password not in "".join(p.read_text(encoding="utf-8") for p in out.rglob("*.yaml"))
    creds = (lab.state_dir / "credentials.env").read_text(encoding="utf-8")
    assert "export ESTATE_USERNAME=admin" in creds and "export ESTATE_PASSWORD=" in creds


def test_status_and_stop_leave_no_process(tmp_path: Path) -> None:
    estate = tmp_path / "e.yaml"
    estate.write_text(yaml.safe_dump({"customers": {"c": {"sites": {"s": {"devices": [_fw("c-s-fw01")]}}}}}))
    state = tmp_path / "state"
    info = control.start(estate, state, max_runtime=60)
    assert control.status(state) == info
    assert control.stop(state) is True
    with pytest.raises(ProcessLookupError):
        os.kill(info.pid, 0)
    assert control.status(state) is None
    assert not (state / "lab.json").exists()
    assert control.stop(state) is False


def test_our_session_preparation_sends_the_drivers_commands_less_three_round_trips(
    lab: LabInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """tasks.platforms.paloalto_panos.session: netmiko's PAN-OS preparation without the Enter it presses first
    (the lab's firewall shows its prompt after the login), its `find_prompt` blank line and its closing
    `show system info`; the session ends up the same (base prompt, paging off, commands work)."""
    from tasks.connection import TunedNetmiko, send_command
    from tasks.platforms.paloalto_panos.facts import parse_system_info

    writes: list[str] = []
    write = BaseConnection.write_channel

    def recording(self: BaseConnection, out_data: str) -> None:
        writes.append(out_data)
        write(self, out_data)

    monkeypatch.setattr(BaseConnection, "write_channel", recording)
    theirs = ConnectHandler(**_params(lab, "acme-lon1-fw01"))
    their_writes, writes[:] = list(writes), []
    ours = TunedNetmiko()
    ours.open("127.0.0.1", lab.username, lab.password, lab.devices["acme-lon1-fw01"], "paloalto_panos")
    try:
        prepared = ["set cli scripting-mode on\n", "set cli terminal width 500\n", "set cli pager off\n"]
        assert writes == prepared
        # netmiko's Enter "to force data", then its find_prompt and catch-up
        assert their_writes == ["\n", *prepared, "\n", "show system info\n"]
        assert ours.connection.base_prompt == theirs.base_prompt == "admin@acme-lon1-fw01(active)"
        mine, reference = send_command(ours.connection, "show system info"), theirs.send_command("show system info")
        clock = ("time", "uptime")  # the seconds may differ between the two reads
        same = {k: v for k, v in parse_system_info(mine).items() if k not in clock}
        assert same == {k: v for k, v in parse_system_info(reference).items() if k not in clock}
        assert same["hostname"] == "acme-lon1-fw01"
    finally:
        ours.close()
        _quick_close(theirs)


def _handshake_with(port: int, kex: list[str]) -> None:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    transport = paramiko.Transport(sock)
    transport.get_security_options().kex = kex
    try:
        transport.start_client(timeout=5)
    finally:
        transport.close()


def test_the_key_exchanges_offered_are_those_of_a_panos_firewall(lab: LabInfo) -> None:
    """lab.personalities.paloalto_panos.shell.KEX_ALGS (an nmap capture of a PAN-OS 10.2 firewall): curve25519 is
    agreed; the post-quantum hybrid that asyncssh would offer by itself is not."""
    port = lab.devices["acme-lon1-fw03"]
    _handshake_with(port, ["curve25519-sha256@libssh.org"])
    _handshake_with(port, ["diffie-hellman-group14-sha256"])
    with pytest.raises(paramiko.SSHException, match="kex"):
        _handshake_with(port, ["mlkem768x25519-sha256"])


def test_no_ignore_message_pads_the_packets(lab: LabInfo, monkeypatch: pytest.MonkeyPatch) -> None:
    """asyncssh puts an SSH_MSG_IGNORE before every packet it sends; the lab does not (lab.server), as the
    OpenSSH of a device does not: a command's echo and its output are two packets, not four."""
    from paramiko.common import MSG_CHANNEL_DATA, MSG_IGNORE
    from paramiko.packet import Packetizer

    kinds: list[int] = []
    read_message = Packetizer.read_message

    def recording(self: Packetizer) -> Any:
        kind, message = read_message(self)
        kinds.append(kind)
        return kind, message

    monkeypatch.setattr(Packetizer, "read_message", recording)
    conn = ConnectHandler(**_params(lab, "acme-lon1-fw02"))
    try:
        before = kinds.count(MSG_CHANNEL_DATA)
        conn.send_command("show system info", auto_find_prompt=False)
        assert kinds.count(MSG_CHANNEL_DATA) - before == 2  # the echo, then the output with the prompt
    finally:
        _quick_close(conn)
    assert MSG_IGNORE not in kinds


def test_a_logged_in_transport_wakes_once_a_second_and_its_thread_ends_with_the_session(
    lab: LabInfo, caplog: pytest.LogCaptureFixture
) -> None:
    """tasks.connection.TRANSPORT_WAKE_S: paramiko's transport thread no longer wakes ten times a second per idle
    session; closing ends that thread at once without waiting for the device: the lab is frozen while we close and
    the socket's timeout is a minute, so only the shutdown of the socket as it is closed (tasks.paramiko_light) can
    wake the thread, and what wakes it is the end of the session, not a socket error in the log."""
    from tasks.connection import TRANSPORT_WAKE_S, TunedNetmiko

    ours = TunedNetmiko()
    ours.open("127.0.0.1", lab.username, lab.password, lab.devices["acme-lon1-fw02"], "paloalto_panos")
    transport = ours.connection.remote_conn.get_transport()
    assert transport.sock.gettimeout() == TRANSPORT_WAKE_S == 1.0
    transport.sock.settimeout(60.0)
    ours.connection.send_command("show clock", auto_find_prompt=False)  # its thread now reads with that timeout
    os.kill(lab.pid, signal.SIGSTOP)
    try:
        ours.close()
        transport.join(30.0)
        assert not transport.is_alive()
    finally:
        os.kill(lab.pid, signal.SIGCONT)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_sessions_closed_after_their_exit_log_no_socket_error(lab: LabInfo, caplog: pytest.LogCaptureFixture) -> None:
    """The device closes its end after `exit` while our close shuts ours down; whichever comes first, the transport
    thread ends with the session, not with paramiko's "Socket exception: Connection reset by peer" at ERROR."""
    from tasks.connection import TunedNetmiko

    transports = []
    for _ in range(10):
        for name in ("acme-lon1-fw01", "acme-lon1-fw02"):
            ours = TunedNetmiko()
            ours.open("127.0.0.1", lab.username, lab.password, lab.devices[name], "paloalto_panos")
            ours.connection.send_command("show clock", auto_find_prompt=False)
            transports.append(ours.connection.remote_conn.get_transport())
            ours.close()
    for transport in transports:
        transport.join(30.0)
    assert not any(transport.is_alive() for transport in transports)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
