"""FortiOS snapshot commands: link state, routes, ARP, sessions and the generated configuration (with secrets)."""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import re

from lab.estate import Device
from lab.personalities.base import (
    DeviceView,
    device_rng,
)
from lab.personalities.fortinet.hardware import (
    MODELS,
    OPTIC_KINDS,
    build_info,
    vdoms_enabled,
)

# --- the pre-upgrade snapshot: link state, routes, ARP, sessions, configuration -------------------------------


def up_ports(device: Device) -> list[str]:
    """The ports that are up: every port holding an optic and the first two copper data ports, in port order.
    They are the layer-3 interfaces of the generated configuration."""
    optics = {optic.port for optic in device.optics} | set(device.pulled_optics)
    copper = [port for port, cage in MODELS[device.model] if cage == "copper" and not port.startswith(("mgmt", "ha"))]
    copper = copper[:2]
    return [port for port, _ in MODELS[device.model] if port in optics or port in copper]


def subnet(device: Device, port: str) -> str:
    """`10.A.N` for the /24 on the N-th port of the layout (A fixed per device); the FortiGate is `.1`."""
    a = device_rng(device, "net").randint(20, 250)
    index = [name for name, _ in MODELS[device.model]].index(port) + 1
    return f"10.{a}.{index}"


def _speed(device: Device, port: str) -> str:
    optic = next((o for o in device.optics if o.port == port), None)
    return f"{OPTIC_KINDS[optic.type].speed_g * 1000}Mbps" if optic else "1000Mbps"


def get_system_interface_physical(view: DeviceView, args: dict[str, str]) -> str:
    """`get system interface physical` in the 7.4 shape of the ntc-templates sample: every port of the layout,
    up when `up_ports` says so (a down port's speed is `n/a`, as in the 6.2 sample)."""
    d = view.device
    configured = set(up_ports(d))
    up = configured - view.link_down - set(d.pulled_optics)  # `lab ctl link-down` / `pull-optic`
    lines = ["== [onboard]"]
    for port, _ in MODELS[d.model]:
        ip = f"{subnet(d, port)}.1 255.255.255.0" if port in configured else "0.0.0.0 0.0.0.0"
        speed = f"{_speed(d, port)} (Duplex: full)" if port in up else "n/a"
        lines += [
            f"    ==[{port}]",
            "        mode: static",
            f"        ip: {ip}",
            "        ipv6: ::/0",
            f"        status: {'up' if port in up else 'down'}",
            f"        speed: {speed}",
            "        FEC: none",
            "        FEC_cap: none",
        ]
    return "\n".join(lines)


def _static_routes(device: Device) -> list[tuple[str, list[str]]]:
    """`(destination, next hops)` of the static routes: a default route (over two links when there are two)
    and a few internal ones."""
    up = up_ports(device)
    if not up:
        return []
    gateways = [f"{subnet(device, port)}.254" for port in up[:2]]
    inside = f"{subnet(device, up[-1])}.254"
    count = device_rng(device, "static").randint(2, 6)
    return [("0.0.0.0/0", gateways)] + [(f"172.{16 + n}.0.0/16", [inside]) for n in range(count)]


def route_count(device: Device) -> int:
    """The routes `get router info routing-table all` lists: a connected route per up port and the statics."""
    return len(up_ports(device)) + len(_static_routes(device))


_ROUTE_LEGEND = [
    "Codes: K - kernel, C - connected, S - static, R - RIP, B - BGP",
    "       O - OSPF, IA - OSPF inter area",
    "       N1 - OSPF NSSA external type 1, N2 - OSPF NSSA external type 2",
    "       E1 - OSPF external type 1, E2 - OSPF external type 2",
    "       i - IS-IS, L1 - IS-IS level-1, L2 - IS-IS level-2, ia - IS-IS inter area",
    "       * - candidate default",
    "",
    "Routing table for VRF=0",
]


def get_router_info_routing_table_all(view: DeviceView, args: dict[str, str]) -> str:
    """`get router info routing-table all` in the shape of the ntc-templates sample: the default route's second
    next hop on a continuation line (ECMP), connected routes, internal statics."""
    d = view.device
    port_of = {f"{subnet(d, port)}.254": port for port in up_ports(d)}
    rows: list[tuple[tuple[int, ...], list[str]]] = []
    for destination, hops in _static_routes(d):
        code = "S*" if destination == "0.0.0.0/0" else "S"
        head = f"{code:<8}{destination} [10/0] via {hops[0]}, {port_of[hops[0]]}"
        more = [f"{'':<{8 + len(destination) + 1}}[10/0] via {hop}, {port_of[hop]}" for hop in hops[1:]]
        rows.append((_ip_key(destination), [head, *more]))
    for port in up_ports(d):
        destination = f"{subnet(d, port)}.0/24"
        rows.append((_ip_key(destination), [f"{'C':<8}{destination} is directly connected, {port}"]))
    return "\n".join(_ROUTE_LEGEND + [line for _, block in sorted(rows) for line in block])


def _ip_key(prefix: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.split(r"[./]", prefix))


def _arp_rows(device: Device) -> list[tuple[str, int, str, str]]:
    """`(ip, age in minutes, mac, interface)` per neighbour: each up port's gateway and a few hosts."""
    r = device_rng(device, "arp")
    rows = []
    for port in up_ports(device):
        net = subnet(device, port)
        for host in [254, *range(10, 10 + r.randint(0, 4))]:
            octets = hashlib.sha256(f"{device.name}/{net}.{host}".encode()).digest()[:3]
            rows.append((f"{net}.{host}", r.randint(0, 9), "00:09:0f:" + ":".join(f"{b:02x}" for b in octets), port))
    return rows


def arp_count(device: Device) -> int:
    """The number of entries `get system arp` lists."""
    return len(_arp_rows(device))


def get_system_arp(view: DeviceView, args: dict[str, str]) -> str:
    """`get system arp` in the column layout of the ntc-templates sample."""
    lines = ["Address           Age(min)   Hardware Addr      Interface"]
    lines += [f"{ip:<18}{age:<11}{mac} {port}" for ip, age, mac, port in _arp_rows(view.device)]
    return "\n".join(lines)


def session_count(device: Device) -> int:
    """`session_count` in `diagnose sys session stat`."""
    return device_rng(device, "sessions").randint(200, 40000)


def diagnose_sys_session_stat(view: DeviceView, args: dict[str, str]) -> str:
    """`diagnose sys session stat` in the shape of the Fortinet KB 196340 sample (FortiOS 6.4+ fields)."""
    count = session_count(view.device)
    established = count * 3 // 5
    return "\n".join(
        [
            f"misc info:       session_count={count} setup_rate={count // 300} exp_count=0 clash=0",
            "        memory_tension_drop=0 ephemeral=0/131062 removeable=0",
            "delete=0, flush=0, dev_down=0/0 ses_flush_filters=0",
            "flush_work_num=0",
            "TCP sessions:",
            f"{established:>10} in ESTABLISHED state",
            f"{count // 50:>10} in TIME_WAIT state",
            "firewall error stat:",
            *(f"{name}=00000000" for name in ("error1", "error2", "error3", "error4", "tt", "cont")),
            *(f"{name}=00000000" for name in ("ids_recv", "url_recv", "av_recv", "fqdn_count", "fqdn6_count")),
            "global: ses_limit=0 ses6_limit=0 rt_limit=0 rt6_limit=0",
        ]
    )


def blob(device: Device, salt: str, length: int) -> str:
    """Deterministic base64 text of `length` characters for a device and a purpose."""
    raw = b"".join(hashlib.sha256(f"{device.name}/{salt}/{n}".encode()).digest() for n in range(1 + length // 40))
    return base64.b64encode(raw).decode()[:length]


def config_secrets(device: Device) -> dict[str, str]:
    """The secrets the generated configuration holds, by what they are (for tests of the sanitiser)."""
    key_lines = [blob(device, f"private-key-{n}", 64) for n in range(4)]
    return {
        "admin_password": "SH2" + blob(device, "admin", 60),
        "snmp_auth_pwd": blob(device, "snmp-auth", 44),
        "snmp_priv_pwd": blob(device, "snmp-priv", 44),
        "radius_secret": blob(device, "radius", 44),
        "tacacs_key": blob(device, "tacacs", 44),
        "ipsec_psksecret": blob(device, "psk", 88),
        "ipsec_ppk_secret": blob(device, "ppk", 44),
        "cert_password": blob(device, "cert-password", 44),
        "private_key": "\n".join(key_lines),
        **{f"private_key_line{n}": line for n, line in enumerate(key_lines)},
        "webhook_uri_token": _hex(device, "webhook-uri", 24),
        "webhook_body_token": _hex(device, "webhook-body", 20),
        "webhook_bearer": blob(device, "webhook-bearer", 40),
        "fsw_snmp_community": "fsw-" + _hex(device, "fsw-snmp", 10),
        "edl_url_password": "edl-" + _hex(device, "edl-url", 12),
        "edl_username": "edl-" + _hex(device, "edl-user", 6),
        "edl_password": blob(device, "edl-password", 44),
        "opaque_blob": _hex(device, "opaque", 48),
    }


def _hex(device: Device, salt: str, length: int) -> str:
    """Deterministic hex text of `length` characters for a device and a purpose."""
    return hashlib.sha256(f"{device.name}/{salt}".encode()).hexdigest()[:length]


def _webhook_and_switch_snmp(device: Device, s: dict[str, str]) -> list[str]:
    """Global sections with secrets: an automation action posting to a webhook (a token in its URL and body, a
    bearer token in its headers: `set headers` on 7.0, `config http-headers` from 7.2), the FortiSwitches'
    SNMP community, and an encrypted blob under a key that does not say so (`opaque-state`, invented to
    exercise the sanitiser)."""
    body = '{\\"text\\": \\"%%log%%\\", \\"token\\": \\"' + s["webhook_body_token"] + '\\"}'
    if device.version.startswith(("6.", "7.0.")):
        headers = [f'        set headers "Authorization:Bearer {s["webhook_bearer"]}"']
    else:
        headers = [
            "        config http-headers",
            "            edit 1",
            '                set key "Authorization"',
            f'                set value "Bearer {s["webhook_bearer"]}"',
            "            next",
            "        end",
        ]
    return [
        "config system automation-action",
        '    edit "notify-siem"',
        "        set action-type webhook",
        "        set protocol https",
        f'        set uri "hooks.example.net/services/{s["webhook_uri_token"]}"',
        f'        set http-body "{body}"',
        "        set port 443",
        *headers,
        "    next",
        "end",
        "config switch-controller snmp-community",
        "    edit 1",
        f'        set name "{s["fsw_snmp_community"]}"',
        "        config hosts",
        "            edit 1",
        "                set ip 10.0.0.50 255.255.255.255",
        "            next",
        "        end",
        "    next",
        "end",
        "config system sdn-lab-extension",
        f"    set opaque-state {s['opaque_blob']}",
        "end",
    ]


def _external_resource(s: dict[str, str]) -> list[str]:
    """A threat feed fetched with credentials in its URL and as a username and password."""
    return [
        "config system external-resource",
        '    edit "blocklist"',
        "        set type address",
        f'        set resource "https://edl-reader:{s["edl_url_password"]}@lists.example.net/block.txt"',
        f'        set username "{s["edl_username"]}"',
        f"        set password ENC {s['edl_password']}",
        "        set refresh-rate 5",
        "    next",
        "end",
    ]


def running_config(device: Device) -> str:
    """The non-default configuration `show` prints, in the shape of the oxidized samples (the `#config-version`
    header, `config`/`edit`/`set`/`next`/`end`, a private key quoted over several unindented lines), with
    secrets of every kind the sanitiser must remove (`config_secrets`); on a
    multi-VDOM unit wrapped in `config vdom` / `config global` as the 501E sample. Sections and values are
    [unverified]: written from documentation and knowledge."""
    s, build = config_secrets(device), build_info(device.version)[0]
    vdom = vdoms_enabled(device)
    up = up_ports(device)
    r = device_rng(device, "config")
    peer, ntp = f"203.0.113.{r.randint(2, 250)}", f"10.{r.randint(1, 250)}.0.123"
    short = re.sub(r"[^0-9A-Z]", "", device.model.split("-", 1)[-1].upper())
    header = [
        f"#config-version=FGT{short}-{device.version}-FW-build{build}-{build_info(device.version)[1]}"
        f":opmode=0:vdom={int(vdom)}:user=admin",
        f"#conf_file_ver={int(hashlib.sha256(device.name.encode()).hexdigest(), 16) % 10**15}",
        f"#buildno={build}",
        "#global_vdom=1",
    ]
    interfaces = ["config system interface"]
    for i, port in enumerate(up):
        interfaces += [
            f'    edit "{port}"',
            '        set vdom "root"',
            f"        set ip {subnet(device, port)}.1 255.255.255.0",
            "        set allowaccess ping https ssh" if i else "        set allowaccess ping",
            "        set type physical",
            f"        set snmp-index {i + 1}",
            "    next",
        ]
    interfaces.append("end")
    key = "\n".join(["-----BEGIN ENCRYPTED PRIVATE KEY-----", s["private_key"], "-----END ENCRYPTED PRIVATE KEY-----"])
    cert = "\n".join(["-----BEGIN CERTIFICATE-----", blob(device, "cert", 64), "-----END CERTIFICATE-----"])
    glob = [
        "config system global",
        f'    set alias "{device.model}"',
        f'    set hostname "{device.name}"',
        '    set timezone "Europe/London"',
        "    set pre-login-banner enable",
        *(["    set vdom-mode multi-vdom"] if vdom else []),
        "end",
        *interfaces,
        "config system admin",
        '    edit "admin"',
        '        set accprofile "super_admin"',
        '        set vdom "root"',
        f"        set password ENC {s['admin_password']}",
        "    next",
        "end",
        "config system ntp",
        "    set ntpsync enable",
        "    set type custom",
        "    config ntpserver",
        "        edit 1",
        f'            set server "{ntp}"',
        "        next",
        "    end",
        "end",
        "config log syslogd setting",
        "    set status enable",
        '    set server "10.0.0.62"',
        "end",
        "config system snmp user",
        '    edit "estate-mon"',
        "        set security-level auth-priv",
        f"        set auth-pwd ENC {s['snmp_auth_pwd']}",
        f"        set priv-pwd ENC {s['snmp_priv_pwd']}",
        "    next",
        "end",
        "config vpn certificate local",
        '    edit "estate-lab"',
        f"        set password ENC {s['cert_password']}",
        '        set comments "lab certificate"',
        f'        set private-key "{key}"',
        f'        set certificate "{cert}"',
        "    next",
        "end",
        *_webhook_and_switch_snmp(device, s),
    ]
    outside = up[0] if up else "port1"
    routes = ["config router static"]
    entries = [(destination, hop) for destination, hops in _static_routes(device) for hop in hops]
    for n, (destination, hop) in enumerate(entries, start=1):
        net, bits = destination.split("/")
        mask = ipaddress.ip_network(destination).netmask
        port = next(p for p in up if hop.startswith(subnet(device, p) + "."))
        dst = [] if bits == "0" else [f"        set dst {net} {mask}"]
        routes += [f"    edit {n}", *dst, f"        set gateway {hop}", f'        set device "{port}"', "    next"]
    routes.append("end")
    root = [
        "config user radius",
        '    edit "estate-radius"',
        '        set server "10.0.0.60"',
        f"        set secret ENC {s['radius_secret']}",
        "    next",
        "end",
        "config user tacacs+",
        '    edit "estate-tacacs"',
        '        set server "10.0.0.61"',
        f"        set key ENC {s['tacacs_key']}",
        "        set authorization enable",
        "    next",
        "end",
        "config vpn ipsec phase1-interface",
        '    edit "to-hq"',
        f'        set interface "{outside}"',
        "        set peertype any",
        "        set net-device disable",
        "        set proposal aes256-sha256",
        f"        set remote-gw {peer}",
        f"        set psksecret ENC {s['ipsec_psksecret']}",
        "        set ppk enable",
        '        set ppk-identity "estate"',
        f"        set ppk-secret ENC {s['ipsec_ppk_secret']}",
        "    next",
        "end",
        *_external_resource(s),
        *routes,
    ]
    if vdom:
        body = ["config vdom", "edit root", "next", "end", "config global", *glob, "end"]
        body += ["config vdom", "edit root", *root, "next", "end"]
    else:
        body = glob + root
    return "\n".join(header + body)


def show(view: DeviceView, args: dict[str, str]) -> str:
    """`show`: the configuration `running_config` generates, with the changes of `lab ctl set-config`."""
    text = running_config(view.device)
    return view.runtime.edit_config(text) if view.runtime is not None else text
