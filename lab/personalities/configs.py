"""The running configuration the four switch personalities serve, with planted secrets and volatile lines.

Shapes follow the real samples in shared/reference/cli (kept in the research notes, C.1):
- IOS/IOS-XE `show running-config`: cisco_ios/session_transcript__oxidized_C9200L-24P-4G_17.09.04a.yaml
  (`Building configuration...`, `Current configuration : N bytes`, `! Last configuration change at ...`,
  `! NVRAM config last updated at ...`, `enable secret 9 $9$...`, `username x secret 9 ...`, `server-key 7 ...`);
- NX-OS `show running-config`: cisco_nxos/session_transcript__oxidized_C93180YC-FX3J_10.4.5.yaml (`!Command:`,
  `!Running configuration last done at:`, `!Time:`, `version 10.4(5) Bios:version 01.11 `, `snmp-server user ...
  auth md5 ... priv aes-128 ... localizedV2key`, `boot nxos bootflash:/nxos64-cs.10.4.5.M.bin `);
- EOS `show running-config`: arista_eos/session_transcript__oxidized_DCS-7050SX3-48YC8_4.29.2F.yaml (`! device:
  NAME (MODEL, EOS-x)`, `snmp-server community X ro`, `snmp-server host H version 2c X`, `end`); the `! Time:`
  line is implied by Oxidized's `| exclude ! Time:` and placed after `! device:` [unverified position];
- Junos `show configuration | display set`: the statements of juniper_junos/session_transcript__oxidized_srx300_22.4
  .yaml (`show configuration | display omit`) written as `set` lines, which start at `set version` (netutils'
  sample, research notes C.2) [unverified: no captured `display set` output].

The other sections (interfaces, NTP, logging, AAA, banners, SNMPv3) are [unverified]: written from documentation
and knowledge. Every device starts compliant with the shipped rule sets (compliance/<platform>.yaml: NTP, syslog,
SNMPv3 only, no telnet/HTTP, a login banner, AAA); the estate file's `config_lines` make one non-compliant.
What changes on every read: NX-OS and EOS `Time:`, IOS `ntp clock-period` and `! Last configuration change`
(as after a configuration session that changed nothing). The secrets are per device (`config_secrets`), so a
test can look for each one by value.
"""

from __future__ import annotations

import hashlib
import time

from lab.estate import Device
from lab.personalities.base import DeviceView, device_rng


def _hex(device: Device, salt: str, length: int) -> str:
    return hashlib.sha256(f"{device.name}/{salt}".encode()).hexdigest()[:length]


def _crypt(device: Device, salt: str, length: int) -> str:
    alphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    digest = hashlib.sha256(f"{device.name}/{salt}".encode()).digest() * 3
    return "".join(alphabet[b % 64] for b in digest[:length])


def config_secrets(device: Device) -> dict[str, str]:
    """The secrets the generated configuration of a switch holds, by what they are (tests look for each)."""
    return {
        "enable_secret": f"$9${_crypt(device, 'enable-salt', 14)}${_crypt(device, 'enable', 43)}",
        "user_secret": f"$6${_crypt(device, 'user-salt', 16)}${_crypt(device, 'user', 86)}",
        "user_secret9": f"$9${_crypt(device, 'user9-salt', 14)}${_crypt(device, 'user9', 43)}",
        "snmp_auth_key": "0x" + _hex(device, "snmp-auth", 32),
        "snmp_priv_key": "0x" + _hex(device, "snmp-priv", 32),
        "snmp_auth_key9": "$9$" + _crypt(device, "snmp-auth9", 40),
        "snmp_priv_key9": "$9$" + _crypt(device, "snmp-priv9", 40),
        "tacacs_key": _hex(device, "tacacs", 20).upper(),
        "radius_key": _hex(device, "radius", 20).upper(),
        "ospf_key": "$9$" + _crypt(device, "ospf", 18),
        "licence_key": _hex(device, "unsupported-transceiver", 8),
    }


def _now() -> str:
    return time.strftime("%a %b %d %H:%M:%S %Y", time.gmtime())


def _ports(device: Device, fallback: str) -> list[str]:
    return [optic.port for optic in device.optics][:4] or [fallback]


def _mgmt_ip(device: Device, offset: int) -> str:
    return f"10.{device_rng(device, 'mgmt').randint(1, 250)}.0.{offset}"


def ios_running_config(view: DeviceView) -> str:
    """IOS/IOS-XE `show running-config`."""
    d, s = view.device, config_secrets(view.device)
    train = ".".join(d.version.split(".")[:2])
    body = [
        "!",
        f"! Last configuration change at {time.strftime('%H:%M:%S UTC %a %b %d %Y', time.gmtime())} by netops",
        "! NVRAM config last updated at 09:37:37 UTC Tue Aug 20 2024 by netops",
        "!",
        f"version {train}",
        "service timestamps debug datetime msec localtime show-timezone",
        "service timestamps log datetime msec localtime show-timezone",
        "service password-encryption",
        "!",
        f"hostname {d.name}",
        "!",
        "logging buffered 65536 informational",
        "no logging console",
        "aaa new-model",
        "!",
        "aaa authentication login default group tacacs+ local",
        "aaa authorization exec default group tacacs+ if-authenticated",
        "!",
        "aaa server radius dynamic-author",
        f" client 10.10.20.20 server-key 7 {s['radius_key']}",
        "!",
        "clock timezone UTC 0 0",
        "ip domain name corp.example.net",
        "!",
        f"enable secret 9 {s['enable_secret']}",
        "!",
        f"username netops privilege 15 secret 9 {s['user_secret9']}",
        "!",
        "spanning-tree mode rapid-pvst",
        "spanning-tree extend system-id",
        "!",
    ]
    for port in _ports(d, "GigabitEthernet1/0/1"):
        body += [f"interface {port}", " description uplink", " switchport mode trunk", "!"]
    body += [
        "interface Vlan1",
        f" ip address {_mgmt_ip(d, 10)} 255.255.255.0",
        "!",
        "ip ssh version 2",
        "!",
        "logging host 10.20.0.51",
        "snmp-server group NETOPS v3 priv",
        "snmp-server host 10.20.0.50 version 3 priv estate-mon",
        "tacacs server TAC1",
        " address ipv4 10.20.0.5",
        f" key 7 {s['tacacs_key']}",
        "!",
        "router ospf 1",
        " area 0 authentication message-digest",
        "!",
        f"ntp clock-period {17179000 + int(time.time() * 1000) % 997}",
        "ntp server 10.20.0.123",
        "!",
        "banner motd ^C",
        "Authorised access only",
        "^C",
        "!",
        "line vty 0 4",
        " transport input ssh",
        "!",
        "end",
    ]
    text = "\n".join(body)
    head = ["Building configuration...", "", f"Current configuration : {len(text)} bytes"]
    return "\n".join([*head, text]) + "\n"


def nxos_running_config(view: DeviceView) -> str:
    """NX-OS `show running-config`."""
    d, s = view.device, config_secrets(view.device)
    image = "nxos64-cs." + d.version.replace("(", ".").replace(")", "") + ".M.bin"
    lines = [
        "",
        "!Command: show running-config",
        "!Running configuration last done at: Tue Sep 30 09:02:26 2025",
        f"!Time: {_now()}",
        "",
        f"version {d.version} Bios:version 01.11 ",
        f"hostname {d.name}",
        "feature tacacs+",
        "feature lacp",
        "feature lldp",
        "",
        f"username admin password 5 {s['user_secret']}  role network-admin",
        "ip domain-lookup",
        f'tacacs-server host 10.20.0.5 key 7 "{s["tacacs_key"]}"',
        "aaa group server tacacs+ TAC",
        "    server 10.20.0.5",
        "    use-vrf management",
        "clock timezone UTC 0 0",
        "logging origin-id hostname",
        f"snmp-server user admin network-admin auth md5 {s['snmp_auth_key']} priv aes-128 {s['snmp_priv_key']}"
        " localizedV2key",
        "aaa authentication login default group TAC",
        "logging server 10.20.0.51 5 use-vrf management",
        "snmp-server host 10.20.0.50 traps version 3 priv admin",
        "ntp server 10.20.0.123 use-vrf management",
        "banner motd #Authorised access only#",
        "",
        "vrf context management",
        "  ip route 0.0.0.0/0 10.0.0.1",
        "",
    ]
    for port in _ports(d, "Ethernet1/1"):
        lines += [f"interface {port}", "  description uplink", "  no shutdown", ""]
    lines += [
        "interface mgmt0",
        "  vrf member management",
        f"  ip address {_mgmt_ip(d, 11)}/24",
        "line console",
        "line vty",
        f"boot nxos bootflash:/{image} ",
        "",
    ]
    return "\n".join(lines)


def eos_running_config(view: DeviceView) -> str:
    """EOS `show running-config`."""
    d, s = view.device, config_secrets(view.device)
    lines = [
        "! Command: show running-config",
        f"! device: {d.name} ({d.model}, EOS-{d.version})",
        f"! Time: {_now()}",
        "!",
        f"! boot system flash:/EOS-{d.version}.swi",
        "!",
        "no aaa root",
        "!",
        f"username admin privilege 15 role network-admin secret sha512 {s['user_secret']}",
        "!",
        f"service unsupported-transceiver netops {s['licence_key']}",
        "!",
        "service routing protocols model multi-agent",
        "!",
        f"hostname {d.name}",
        "!",
        "spanning-tree mode mstp",
        "!",
        f"tacacs-server host 10.20.0.5 key 7 {s['tacacs_key']}",
        "!",
        "aaa authentication login default group tacacs+ local",
        "!",
        "logging host 10.20.0.51",
        "!",
        "snmp-server group NETOPS v3 priv",
        f"snmp-server user estate-mon NETOPS v3 localized {_hex(d, 'engine', 24)} auth sha512 {s['snmp_auth_key']}"
        f" priv aes {s['snmp_priv_key']}",
        "snmp-server host 10.20.0.50 version 3 priv estate-mon",
        "!",
        "ntp server 10.20.0.123",
        "!",
    ]
    for port in _ports(d, "Ethernet1"):
        lines += [f"interface {port}", "   description uplink", "!"]
    lines += ["interface Management1", f"   ip address {_mgmt_ip(d, 12)}/24", "!", "ip routing", "!"]
    lines += ["banner login", "Authorised access only", "EOF", "!", "end", ""]
    return "\n".join(lines)


def junos_running_config(view: DeviceView) -> str:
    """Junos `show configuration | display set`."""
    d, s = view.device, config_secrets(view.device)
    ports = _ports(d, "ge-0/0/0")
    lines = [
        f"set version {d.version}",
        f"set system host-name {d.name}",
        f'set system root-authentication encrypted-password "{s["user_secret"]}"',
        "set system login user netops uid 2001",
        "set system login user netops class super-user",
        f'set system login user netops authentication encrypted-password "{s["enable_secret"]}"',
        "set system services ssh",
        "set system services netconf ssh",
        "set system name-server 10.20.0.53",
        f'set system tacplus-server 10.20.0.5 secret "{s["ospf_key"]}"',
        "set system authentication-order tacplus",
        "set system authentication-order password",
        'set system login message "Authorised access only"',
        "set system syslog user * any emergency",
        "set system syslog host 10.20.0.51 any notice",
        "set system syslog file messages any notice",
        "set system ntp server 10.20.0.123",
        f'set snmp v3 usm local-engine user estate-mon authentication-sha authentication-key "{s["snmp_auth_key9"]}"',
        f'set snmp v3 usm local-engine user estate-mon privacy-aes128 privacy-key "{s["snmp_priv_key9"]}"',
    ]
    for port in ports:
        lines += [f"set interfaces {port} description uplink", f"set interfaces {port} unit 0 family inet"]
    lines += [
        f"set interfaces fxp0 unit 0 family inet address {_mgmt_ip(d, 13)}/24",
        f'set protocols ospf area 0.0.0.0 interface {ports[0]}.0 authentication md5 1 key "{s["ospf_key"]}"',
        "set routing-options static route 0.0.0.0/0 next-hop 10.0.0.1",
    ]
    return "\n".join(lines) + "\n"


def served(view: DeviceView, text: str) -> str:
    """`text` with the device's configuration changes: the estate file's `config_lines` and `lab ctl set-config`."""
    from lab.runtime import edit_lines

    if view.runtime is not None:
        return view.runtime.edit_config(text)
    device = view.device
    return edit_lines(text, list(device.config_add), list(device.config_remove))
