"""PAN-OS system, optics and HA commands: system info and state, interface hardware, high-availability."""

from __future__ import annotations

import fnmatch
from dataclasses import replace
from datetime import datetime

from lab.estate import Device, Optic
from lab.personalities.base import (
    DeviceView,
    device_rng,
)
from lab.personalities.paloalto_panos.hardware import (
    CAGES,
    OPTIC_KINDS,
    OpticKind,
    base_release,
    clock,
    mac,
    mgmt_ip,
    model_family,
    ports,
    state_key,
    uptime,
    uptime_seconds,
)

# --- command handlers -----------------------------------------------------------------------------------


def app_version(device: Device) -> str:
    """The Apps & Threats content version: ``state.app_version``, else a recent one shared by an HA pair."""
    if device.state.app_version:
        return device.state.app_version
    key = device if device.ha is None else min(device, replace(device, name=device.ha.peer), key=lambda d: d.name)
    r = device_rng(key, "content")
    return f"{r.randint(8600, 8900)}-{r.randint(7000, 8800)}"


def show_system_info(view: DeviceView, args: dict[str, str]) -> str:
    """``show system info``, in the field order of the real 10.x/11.0 output."""
    d, r = view.device, device_rng(view.device, "content")
    r.randint(8600, 8900), r.randint(7000, 8800)  # keep the later fields as they were before app_version
    app = app_version(d)
    fields = [
        ("hostname", d.name),
        ("ip-address", mgmt_ip(d)),
        ("public-ip-address", "unknown"),
        ("netmask", "255.255.255.0"),
        ("default-gateway", mgmt_ip(d).rsplit(".", 1)[0] + ".1"),
        ("ip-assignment", "static"),
        ("ipv6-address", "unknown"),
        ("ipv6-link-local-address", f"fe80::21b:17ff:fe{mac(d, 0)[-5:].replace(':', '')}/64"),
        ("ipv6-default-gateway", ""),
        ("mac-address", mac(d, 0)),
        ("time", clock(datetime.now())),
        ("uptime", uptime(view)),
        ("family", model_family(d.model)),
        ("model", d.model),
        ("serial", d.serial),
        ("cloud-mode", "non-cloud"),
        ("sw-version", d.version),
        ("global-protect-client-package-version", "0.0.0"),
        ("device-dictionary-version", f"{r.randint(80, 150)}-{r.randint(300, 600)}"),
        ("device-dictionary-release-date", "2024/05/20 14:09:19"),
        ("app-version", app),
        ("app-release-date", "2024/05/21 17:47:42"),
        ("av-version", f"{r.randint(4700, 4900)}-{r.randint(5200, 5400)}"),
        ("av-release-date", "2024/05/22 04:02:33"),
        ("threat-version", app),
        ("threat-release-date", "2024/05/21 17:47:42"),
        ("wf-private-version", "0"),
        ("wf-private-release-date", "unknown"),
        ("url-db", "paloaltonetworks"),
        ("wildfire-version", f"{r.randint(850000, 880000)}-{r.randint(860000, 890000)}"),
        ("wildfire-release-date", "2024/05/22 04:27:02"),
        ("wildfire-rt", "Disabled"),
        ("url-filtering-version", f"20240522.{r.randint(20000, 40000)}"),
        ("global-protect-datafile-version", "unknown"),
        ("global-protect-datafile-release-date", "unknown"),
        ("global-protect-clientless-vpn-version", "0"),
        ("global-protect-clientless-vpn-release-date", ""),
        ("logdb-version", base_release(d.version)),
        ("platform-family", model_family(d.model)),
        ("vpn-disable-mode", "off"),
        ("multi-vsys", "off"),
        ("operational-mode", "normal"),
        *_advanced_routing(d),
        ("device-certificate-status", "Valid"),
    ]
    return "\n".join(f"{key}: {value}" if value else f"{key}:" for key, value in fields)


def _advanced_routing(device: Device) -> list[tuple[str, str]]:
    """`advanced-routing: on|off` after `operational-mode` (the real 11.0 sample); printed from 10.2, the
    release PAN made the Advanced Routing Engine generally available, or whenever the estate turns it on."""
    major, minor = (int(part) for part in device.version.split(".")[:2])
    if device.state.advanced_routing:
        return [("advanced-routing", "on")]
    return [("advanced-routing", "off")] if (major, minor) >= (10, 2) else []


def _pad(value: str, width: int) -> str:
    """SFF EEPROM strings are fixed-width, space padded; PAN-OS prints them as they are."""
    return f"{value:<{width}}"


def _sfp_block(optic: Optic, kind: OpticKind) -> str:
    """The ``'sfp': { ... }`` value; keys sorted as PAN-OS prints them, QSFPs with per-lane rx power."""
    fields = {
        "connector": kind.connector,
        "encoding": kind.encoding,
        "identifier": kind.identifier,
        "transceiver": kind.transceiver,
        "vendor-name": _pad(optic.vendor, 16),
        "vendor-part-number": _pad(optic.part, 16),
        "vendor-part-rev": _pad("B4" if optic.vendor == "OEM" else "A", 4),
        "vendor-serial-number": _pad(optic.serial, 16),
    }
    if kind.quad:
        fields.update(_QUAD_FIELDS)
        fields["vendor-part-rev"] = _pad("B", 2)
    inner = " ".join(f"'{key}': {fields[key]}," for key in sorted(fields))
    return "{ " + inner + " }"


_QUAD_FIELDS = {
    **{f"ch{n}": "{ 'rx-power': 0.00 mW, }" for n in range(1, 5)},
    "diagnostic-monitor": "Yes",
    "ex-spec-compliance-code": "0x0",
    "link-len-km": "0 km",
    "link-len-om1": "0 m",
    "link-len-om2": "0 m",
    "link-len-om3": "100 m",
    "link-len-om4": "150 m",
    "rx-power-alarm-hi": "0.00 mW",
    "rx-power-alarm-lo": "0.00 mW",
    "rx-power-warn-hi": "0.00 mW",
    "rx-power-warn-lo": "0.00 mW",
}


def _phy_line(port: str, cage: str, optic: Optic | None, view: DeviceView) -> str:
    parts: list[str] = []
    if optic is not None and OPTIC_KINDS[optic.type].quad:
        parts += [f"'duration': {uptime_seconds(view)},", "'last-sample': 1970-01-01 08:00:00,"]
    parts.append("'link-partner': { },")
    if optic is None:
        parts.append(f"'media': {CAGES[cage].empty_media},")
    else:
        kind = OPTIC_KINDS[optic.type]
        parts += [f"'media': {kind.media},", f"'sfp': {_sfp_block(optic, kind)},"]
    parts.append("'type': Ethernet,")
    return f"{state_key(port)}: {{ {' '.join(parts)} }}"


def _phy_lines(view: DeviceView, pattern: str) -> list[str]:
    optics = {optic.port: optic for optic in view.device.optics}
    return [
        _phy_line(port, cage, optics.get(port), view)
        for port, cage in ports(view.device.model)
        if fnmatch.fnmatchcase(state_key(port), pattern)
    ]


def show_system_state_filter(view: DeviceView, args: dict[str, str]) -> str:
    """``show system state filter <pattern>``: one line per matching key (only phy keys are simulated)."""
    return "\n".join(_phy_lines(view, args["pattern"]))


def show_system_state(view: DeviceView, args: dict[str, str]) -> str:
    """``show system state``: the local.* header keys, then every port."""
    d = view.device
    family = model_family(d.model)
    header = [
        "local.brdagent: { }",
        f"local.family: {family}",
        f"local.info: {{ 'family': {family}, 'model': {d.model}, 'name': mp, 'ppid': 0, 'role': mp, 'slot': 1, }}",
        f"local.model: {d.model}",
        "local.name: mp",
        "local.role: mp",
        "local.slot: 1",
    ]
    return "\n".join(header + _phy_lines(view, "sys.s*.p*.phy"))


def _link(cage: str, optic: Optic | None, index: int) -> str:
    if optic is not None:
        return f"{OPTIC_KINDS[optic.type].speed}/full/up"
    if cage == "copper" and index < 2:
        return "1000/full/up"
    return "ukn/ukn/down(autoneg)"


def show_interface_hardware(view: DeviceView, args: dict[str, str]) -> str:
    """``show interface hardware`` in the column layout of the real sample."""
    d = view.device
    optics = {optic.port: optic for optic in d.optics}
    down = view.link_down  # `lab ctl link-down` / `pull-optic`
    rows = [
        (port, 64 + i, "ukn/ukn/down(autoneg)" if port in down else _link(cage, optics.get(port), i), mac(d, 0x40 + i))
        for i, (port, cage) in enumerate(ports(d.model))
    ]
    rows += [
        ("ha1-a", 5, "ukn/ukn/down(autoneg)", mac(d, 0xA2)),
        ("ha1-b", 7, "ukn/ukn/down(autoneg)", mac(d, 0x07)),
        ("vlan", 1, "[n/a]/[n/a]/up", mac(d, 0x01)),
        ("loopback", 3, "[n/a]/[n/a]/up", mac(d, 0x03)),
        ("tunnel", 4, "[n/a]/[n/a]/up", mac(d, 0x04)),
        ("hsci", 8, "ukn/ukn/down(autoneg)", mac(d, 0x08)),
    ]
    lines = [
        f"total configured hardware interfaces: {len(rows)}",
        "",
        f"{'name':<24}{'id':<6}{'speed/duplex/state':<26}mac address",
        "-" * 80,
    ]
    lines += [f"{name:<24}{ident:<6}{link:<26}{mac}" for name, ident, link, mac in rows]
    return "\n".join([*lines, "", "aggregation groups: 0"])


def _ha_member(device: Device, state: str, days: int, priority: int, peer: bool, version: str) -> list[str]:
    lines = [
        "    Connection status: up" if peer else None,
        "    Version: 1",
        "    Mode: Active-Passive",
        f"    State: {state} (last {days} days)",
        "    Device Information:",
        f"      Model: {device.model}",
        f"      Management IPv4 Address: {mgmt_ip(device)}/24",
        "      Management IPv6 Address: ",
        "    Election Option Information:",
        f"      Priority: {priority}",
        "      Preemptive: no",
        "    Version Information:",
        f"      Build Release: {version}",
    ]
    return [line for line in lines if line is not None]


def _ha_pair(view: DeviceView) -> tuple[Device, Device, str, str, bool] | None:
    """(device, peer, local version, peer version as reported, config synchronized) or None when standalone."""
    d, peer = view.device, view.peer
    if d.ha is None or peer is None or peer.ha is None:
        return None
    peer_version = d.state.peer_version or peer.version
    synced = d.state.ha_sync == "synchronized" and peer.state.ha_sync == "synchronized"
    return d, peer, d.version, peer_version, synced


def show_high_availability_state(view: DeviceView, args: dict[str, str]) -> str:
    """``show high-availability state``: group, local and peer information (``HA not enabled.`` if none)."""
    pair = _ha_pair(view)
    if pair is None:
        return "HA not enabled."
    d, peer, version, peer_version, synced = pair
    assert d.ha is not None and peer.ha is not None
    days = device_rng(min(d, peer, key=lambda x: x.name), "ha").randint(1, 300)
    match = "Match" if version == peer_version else "Mismatch"
    lines = ["Group 1: ", "  Mode: Active-Passive", "  Local Information:"]
    lines += _ha_member(d, d.ha.state, days, 100 if d.ha.state == "active" else 110, False, version)
    lines += ["    Version Compatibility:", f"      Software Version: {match}"]
    lines += ["    State Synchronization: Complete; type: ethernet", "  Peer Information:"]
    lines += _ha_member(peer, peer.ha.state, days, 100 if peer.ha.state == "active" else 110, True, peer_version)
    lines += ["  Configuration Synchronization:", "    Enabled: yes"]
    lines += [f"    Running Configuration: {'synchronized' if synced else 'not synchronized'}"]
    return "\n".join(lines)


def _ha_links(device: Device, local: bool) -> list[str]:
    ha1 = f"10.1.1.{1 if local else 2}"
    ha2 = f"10.2.2.{1 if local else 2}"
    if not local:
        return [
            "    HA1 Control Link Information:",
            f"      IP Address: {ha1}",
            f"      MAC Address: {mac(device, 0xA1)}",
            "      Connection up; Primary HA1 link",
            "    HA2 Data Link Information:",
            f"      IP Address: {ha2}",
            f"      MAC Address: {mac(device, 0xA2)}",
        ]
    return [
        "      Jumbo-Frames disabled; MTU 1500",
        "    HA1 Control Links Joint Configuration:",
        "      Link Monitor Interval: 3000 ms",
        "      Encryption Enabled: no",
        "    HA1 Control Link Information:",
        f"      IP Address: {ha1}/30",
        f"      MAC Address: {mac(device, 0xA1)}",
        "      Interface: dedicated-ha1",
        "      Link State: Up; Setting: 1Gb/s-full",
        "      Key Imported : no",
        "    HA2 Data Link Information:",
        f"      IP Address: {ha2}/30",
        f"      MAC Address: {mac(device, 0xA2)}",
        "      Interface: dedicated-ha2",
        "      Link State: Up; Setting: 1Gb/s-full",
    ]


def _ha_versions(device: Device, version: str) -> list[str]:
    app = app_version(device)
    return [
        "    Version Information:",
        f"      Build Release: {version}",
        "      URL Database: 20240522.20143",
        f"      Application Content: {app}",
        "      Anti-Virus: 4800-5300",
        f"      Threat Content: {app}",
        "      VPN Client Software: Not Installed",
        "      Global Protect Client Software: Not Installed",
    ]


def _ha_all_member(device: Device, state: str, days: int, priority: int, local: bool, version: str) -> list[str]:
    """One side of ``show high-availability all``, in the order of the real PA-5020 sample."""
    lines = [] if local else ["    Connection status: up"]
    lines += [
        "    Version: 1",
        "    Mode: Active-Passive",
        f"    State: {state} (last {days} days)",
        "    Device Information:",
        f"      Model: {device.model}",
        f"      Management IPv4 Address: {mgmt_ip(device)}/24",
        "      Management IPv6 Address: ",
    ]
    if not local:
        lines.append("      Jumbo-Frames disabled; MTU 1500")
    lines += _ha_links(device, local)
    lines += ["    Election Option Information:", f"      Priority: {priority}", "      Preemptive: no"]
    if local:
        lines += [
            "      Promotion Hold Interval: 2000 ms",
            "      Hello Message Interval: 8000 ms",
            "      Heartbeat Ping Interval: 1000 ms",
            "      Max # of Flaps: 3",
            "      Preemption Hold Interval: 1 min",
            "      Monitor Fail Hold Up Interval: 0 ms",
            "      Addon Master Hold Up Interval: 500 ms",
            "    Active-Passive Mode:",
            "      Passive Link State: auto",
            "      Monitor Fail Hold Down Interval: 1 min",
        ]
    return lines + _ha_versions(device, version)


def show_high_availability_all(view: DeviceView, args: dict[str, str]) -> str:
    """``show high-availability all``: the real sample's blocks (links, election, versions, compatibility,
    monitoring, configuration synchronization); reflects ``state.ha_sync`` and ``state.peer_version``."""
    pair = _ha_pair(view)
    if pair is None:
        return "HA not enabled."
    d, peer, version, peer_version, synced = pair
    assert d.ha is not None and peer.ha is not None
    days = device_rng(min(d, peer, key=lambda x: x.name), "ha").randint(1, 300)
    match = "Match" if version == peer_version else "Mismatch"
    content = "Match" if app_version(d) == app_version(peer) else "Mismatch"
    lines = ["Group 1: ", "  Mode: Active-Passive", "  Local Information:"]
    lines += _ha_all_member(d, d.ha.state, days, 100 if d.ha.state == "active" else 110, True, version)
    lines += [
        "    Version Compatibility:",
        f"      Software Version: {match}",
        f"      Application Content Compatibility: {content}",
        "      Anti-Virus Compatibility: Match",
        f"      Threat Content Compatibility: {content}",
        "      VPN Client Software Compatibility: Match",
        "      Global Protect Client Software Compatibility: Match",
        "    State Synchronization: Complete; type: ethernet",
        "  Peer Information:",
    ]
    lines += _ha_all_member(peer, peer.ha.state, days, 100 if peer.ha.state == "active" else 110, False, peer_version)
    lines += [
        "  Initial Monitor Hold inactive; Allow Network/Links to Settle:",
        "    Link and path monitoring failures honored",
        "  Link Monitoring Information:",
        "    Enabled: yes",
        "    Failure condition: any",
        "  Path Monitoring Information:",
        "    Enabled: no",
        "    Failure condition: any",
        "  Configuration Synchronization:",
        "    Enabled: yes",
        f"    Running Configuration: {'synchronized' if synced else 'not synchronized'}",
    ]
    return "\n".join(lines)
