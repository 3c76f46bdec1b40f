"""PAN-OS snapshot commands: routes, ARP, sessions and the generated running configuration (with deliberate secrets)."""

from __future__ import annotations

import base64
import hashlib
import re

from lab.estate import Device
from lab.personalities.base import (
    DeviceView,
    device_rng,
)
from lab.personalities.paloalto_panos.hardware import mgmt_ip, ports
from lab.personalities.paloalto_panos.readiness import ntp_servers

# --- the snapshot: routes, ARP, sessions, running configuration ---------------------------------------------


def _l3_ports(device: Device) -> list[str]:
    """The ports that are up in ``show interface hardware`` (an optic, or the first two copper ports): the
    layer-3 interfaces of the generated configuration, in port order."""
    optics = {optic.port for optic in device.optics} | set(device.pulled_optics)
    return [
        port for i, (port, cage) in enumerate(ports(device.model)) if port in optics or (cage == "copper" and i < 2)
    ]


def _subnet(device: Device, port: str) -> str:
    """``10.A.N`` for the /24 on ``ethernet1/N`` (A fixed per device); the firewall is ``.1``, its gateway ``.254``."""
    a = device_rng(device, "net").randint(20, 250)
    return f"10.{a}.{int(port.rsplit('/', 1)[1])}"


def _static_routes(device: Device) -> list[tuple[str, str, str]]:
    """``(name, destination, next hop)`` of the configured static routes: a default route and a few internal ones."""
    l3 = _l3_ports(device)
    if not l3:
        return []
    gateway = f"{_subnet(device, l3[0])}.254"
    inside = f"{_subnet(device, l3[-1])}.254"
    count = device_rng(device, "static").randint(2, 6)
    routes = [("default-route", "0.0.0.0/0", gateway)]
    routes += [(f"internal-{n}", f"172.{16 + n}.0.0/16", inside) for n in range(count)]
    return routes


def route_count(device: Device) -> int:
    """What ``show routing route`` totals: a connected and a host route per layer-3 port, and the static routes."""
    return 2 * len(_l3_ports(device)) + len(_static_routes(device))


def _route_rows(device: Device) -> list[tuple[str, str, str, str, str]]:
    """``(destination, next hop, metric, legacy flags, interface)`` of every route, sorted by destination."""
    rows: list[tuple[str, str, str, str, str]] = []
    for port in _l3_ports(device):
        net = _subnet(device, port)
        rows.append((f"{net}.0/24", f"{net}.1", "0", "A C", port))
        rows.append((f"{net}.1/32", "0.0.0.0", "0", "A H", ""))
    for _, destination, nexthop in _static_routes(device):
        port = next(p for p in _l3_ports(device) if nexthop.startswith(_subnet(device, p) + "."))
        rows.append((destination, nexthop, "10", "A S", port))
    rows.sort(key=lambda row: tuple(int(n) for n in re.split(r"[./]", row[0])))
    return rows


# What the lab answers to ``show routing route`` on a firewall with the Advanced Routing Engine on: PAN-OS's
# answer to a command it does not take, as the legacy engine's command is not the ARE's [unverified].
LEGACY_ON_ARE = "Invalid syntax."


def show_routing_route(view: DeviceView, args: dict[str, str]) -> str:
    """``show routing route`` in the column layout of the real ntc-templates samples, with its total line."""
    if view.device.state.advanced_routing:
        return LEGACY_ON_ARE
    rows = _route_rows(view.device)
    lines = [
        "flags: A:active, ?:loose, C:connect, H:host, S:static, ~:internal, R:rip, O:ospf, B:bgp, ",
        "       Oi:ospf intra-area, Oo:ospf inter-area, O1:ospf ext-type-1, O2:ospf ext-type-2, E:ecmp, M:multicast",
        "",
        "  ",
        "VIRTUAL ROUTER: default (id 1)",
        "  ==========",
        f"{'destination':<44}{'nexthop':<40}{'metric':<7}{'flags':<11}{'age':<6}{'interface':<19}next-AS    ",
    ]
    lines += [
        f"{dst:<44}{hop:<40}{metric:<7}{flags:<11}{'':<6}{port:<19}{'':<14}" for dst, hop, metric, flags, port in rows
    ]
    return "\n".join([*lines, f"total routes shown: {len(rows)}"])


_ARE_PROTOCOL = {"A C": "connected", "A H": "local", "A S": "static"}


def show_advanced_routing_route(view: DeviceView, args: dict[str, str]) -> str:
    """``show advanced-routing route``: the same routes in the layout PAN's CLI reference documents for the
    Advanced Routing Engine (one table per logical router, here ``default``; no real sample was found, see
    tests/fixtures/paloalto_panos/show_advanced-routing_route/). A firewall without the ARE has no logical
    router to show [unverified: the lab prints the legacy answer to an unknown command]."""
    if not view.device.state.advanced_routing:
        return LEGACY_ON_ARE
    rows = _route_rows(view.device)
    lines = [
        "Logical Router: default",
        "==========================",
        "flags: A:active, E:ecmp, R:recursive, Oi:ospf intra-area, Oo:ospf inter-area, O1:ospf ext 1, O2:ospf ext 2",
        "",
        f"{'destination':<44}{'protocol':<12}{'nexthop':<44}{'distance':<9}{'metric':<11}{'flag':<10}{'tag':<10}"
        f"{'age':<10}interface",
    ]
    for dst, hop, metric, flags, port in rows:
        protocol = _ARE_PROTOCOL[flags]
        nexthop = hop if protocol == "static" else ""
        distance = "10" if protocol == "static" else "0"
        lines.append(
            f"{dst:<44}{protocol:<12}{nexthop:<44}{distance:<9}{metric:<11}{'A':<10}{'':<10}{'2d 03:12':<10}{port}"
        )
    return "\n".join([*lines, "", f"total route shown: {len(rows)}"])


def _arp_rows(device: Device) -> list[tuple[str, str, str, int]]:
    """``(interface, ip, mac, ttl)`` per neighbour: each layer-3 port's gateway and a few hosts."""
    r = device_rng(device, "arp")
    rows = []
    for port in _l3_ports(device):
        net = _subnet(device, port)
        hosts = [254, *range(10, 10 + r.randint(0, 4))]
        for host in hosts:
            octets = hashlib.sha256(f"{device.name}/{net}.{host}".encode()).digest()[:3]
            mac = "00:50:56:" + ":".join(f"{b:02x}" for b in octets)
            rows.append((port, f"{net}.{host}", mac, r.randint(60, 1800)))
    return rows


def arp_count(device: Device) -> int:
    """The number of entries ``show arp all`` lists."""
    return len(_arp_rows(device))


def show_arp_all(view: DeviceView, args: dict[str, str]) -> str:
    """``show arp all`` in the layout of the real ntc-templates sample."""
    rows = _arp_rows(view.device)
    lines = [
        f"{'maximum of entries supported :':<36}{1500:>6}",
        f"{'default timeout:':<36}1800 seconds",
        f"{'total ARP entries in table :':<36}{len(rows)}",
        f"{'total ARP entries shown :':<36}{len(rows)}",
        "status: s - static, c - complete, e - expiring, i - incomplete",
        "",
        "interface         ip address      hw address        port              status   ttl",
        "-" * 80,
    ]
    lines += [f"{port:<18}{ip:<16}{mac:<18}{port:<20}{'c':<7}{ttl}" for port, ip, mac, ttl in rows]
    return "\n".join(lines)


def session_counts(device: Device) -> dict[str, int]:
    """The dataplane's session counters: allocated = TCP + UDP + ICMP + predict."""
    r = device_rng(device, "sessions")
    tcp, udp, icmp, predict = r.randint(200, 30000), r.randint(50, 8000), r.randint(0, 40), r.randint(0, 5)
    return {"tcp": tcp, "udp": udp, "icmp": icmp, "predict": predict, "allocated": tcp + udp + icmp + predict}


def session_count(device: Device) -> int:
    """``Number of allocated sessions`` in ``show session info``."""
    return session_counts(device)["allocated"]


def show_session_info(view: DeviceView, args: dict[str, str]) -> str:
    """``show session info`` with the fields of the PAN-OS 10.0 CLI Quick Start sample (one dataplane); the
    column alignment is assumed [the stored sample has its spaces collapsed]."""
    c = session_counts(view.device)
    supported = 196606 if view.device.model.startswith(("PA-4", "PA-8", "PA-14")) else 1048574
    fields = [
        ("target-dp", "*.dp0"),
        None,
        ("Number of sessions supported", supported),
        ("Number of allocated sessions", c["allocated"]),
        ("Number of active TCP sessions", c["tcp"]),
        ("Number of active UDP sessions", c["udp"]),
        ("Number of active ICMP sessions", c["icmp"]),
        ("Number of active GTPc sessions", 0),
        ("Number of active GTPu sessions", 0),
        ("Number of pending GTPu sessions", 0),
        ("Number of active BCAST sessions", 0),
        ("Number of active MCAST sessions", 0),
        ("Number of active predict sessions", c["predict"]),
        ("Number of active SCTP sessions", 0),
        ("Number of active SCTP associations", 0),
        ("Session table utilization", f"{c['allocated'] * 100 // supported}%"),
        ("Number of sessions created since bootup", c["allocated"] * 173 + 5044051),
        ("Packet rate", f"{c['allocated'] // 3}/s"),
        ("Throughput", f"{c['allocated'] * 7} kbps"),
        ("New connection establish rate", f"{c['allocated'] // 200} cps"),
        None,
        ("Session timeout", None),
        ("  TCP default timeout", "3600 secs"),
        ("  UDP default timeout", "30 secs"),
        ("  ICMP default timeout", "6 secs"),
        None,
    ]
    lines = []
    for field in fields:
        if field is None:
            lines.append("-" * 80)
        elif field[1] is None:
            lines.append(field[0])
        else:
            lines.append(f"{field[0] + ':':<49}{field[1]}")
    return "\n".join(lines)


def _digest(device: Device, salt: str, length: int) -> str:
    """Deterministic base64 text of ``length`` characters for a device and a purpose."""
    raw = b"".join(hashlib.sha256(f"{device.name}/{salt}/{n}".encode()).digest() for n in range(1 + length // 40))
    return base64.b64encode(raw).decode()[:length]


def config_secrets(device: Device) -> dict[str, str]:
    """The secrets the generated running configuration holds, by what they are (for tests of the sanitiser)."""
    crypt_alphabet = str.maketrans("+=", "./")
    return {
        "admin_phash": "$5$" + _digest(device, "salt", 8).translate(crypt_alphabet) + "$"
        + _digest(device, "admin", 43).translate(crypt_alphabet),
        "breakglass_phash": "$1$" + _digest(device, "bg-salt", 8).translate(crypt_alphabet) + "$"
        + _digest(device, "breakglass", 22).translate(crypt_alphabet),
        "snmp_auth_password": "-AQ==" + _digest(device, "snmp-auth", 28) + "=",
        "snmp_priv_password": "-AQ==" + _digest(device, "snmp-priv", 28) + "=",
        "ike_psk": "-AQ==" + _digest(device, "psk", 40) + "=",
        "radius_secret": "-AQ==" + _digest(device, "radius", 28) + "=",
        "tacacs_secret": "-AQ==" + _digest(device, "tacacs", 28) + "=",
        "private_key": "-AQ==" + _digest(device, "private-key", 120),
        "http_server_password": "-AQ==" + _digest(device, "http-server", 28) + "=",
        "http_header_auth": _digest(device, "http-basic", 32),
        "http_param_token": "hec-" + _hex(device, "http-param", 16),
        "edl_url_password": "edl-" + _hex(device, "edl-url", 12),
        "edl_auth_password": "-AQ==" + _digest(device, "edl-auth", 28) + "=",
        "scep_challenge": "scep-" + _hex(device, "scep", 16),
        "opaque_blob": _hex(device, "opaque", 48),
    }  # fmt: skip


def _hex(device: Device, salt: str, length: int) -> str:
    """Deterministic hex text of ``length`` characters for a device and a purpose."""
    return hashlib.sha256(f"{device.name}/{salt}".encode()).hexdigest()[:length]


ConfigTree = dict[str, "ConfigTree | str | list[str] | None"]


def _render(tree: ConfigTree, depth: int = 0) -> list[str]:
    """PAN-OS's brace format: ``key {`` blocks, ``key value;`` leaves, ``key [ a b ];`` lists, ``member;`` entries."""
    pad = "  " * depth
    lines: list[str] = []
    for key, value in tree.items():
        if value is None:
            lines.append(f"{pad}{key};")
        elif isinstance(value, dict):
            lines += [f"{pad}{key} {{", *_render(value, depth + 1), f"{pad}}}"]
        elif isinstance(value, list):
            lines.append(f"{pad}{key} [ {' '.join(value)} ];")
        else:
            lines.append(f"{pad}{key} {value};")
    return lines


def _http_server_profile(secrets: dict[str, str]) -> ConfigTree:
    """An HTTP log-forwarding server profile to a SIEM: a server with a password, a payload format whose
    headers and parameters carry credentials."""
    return {
        "server": {
            "hec1": {
                "address": "siem.example.net",
                "protocol": "HTTPS",
                "port": "8088",
                "http-method": "POST",
                "username": "estate-hec",
                "password": secrets["http_server_password"],
            }
        },
        "format": {
            "traffic": {
                "url-format": '"/services/collector/raw"',
                "payload": '"$receive_time $serial $src $dst"',
                "headers": {"Authorization": {"value": f'"Basic {secrets["http_header_auth"]}"'}},
                "params": {"channel": {"value": secrets["http_param_token"]}},
            }
        },
    }


def _certificate(device: Device) -> str:
    body = "\n".join(_digest(device, f"cert-{n}", 64) for n in range(3))
    return f'"-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n"'


def running_config(device: Device) -> str:
    """A small, plausible running configuration for ``device`` in the brace format of ``show config running``:
    users, server profiles with secrets, an HTTP log-forwarding profile with credentials in its headers and
    parameters, an external dynamic list with credentials in its URL, a SCEP profile with a challenge, a
    certificate, the layer-3 ports, static routes, an IKE crypto profile and gateway, management settings, NTP
    and SNMP, two zones and a rule; and an encrypted blob under a key that does not say so (``x-lab-extension``,
    invented to exercise the sanitiser) [unverified: shape from documentation and knowledge, no captured
    sample]."""
    secrets = config_secrets(device)
    l3 = _l3_ports(device)
    mgmt = mgmt_ip(device)
    ntp = ntp_servers(device)
    r = device_rng(device, "config")
    peer = f"203.0.113.{r.randint(2, 250)}"
    outside, inside = (l3[0], l3[1:]) if l3 else ("ethernet1/1", [])
    statics: ConfigTree = {
        name: {"nexthop": {"ip-address": hop}, "bfd": {"profile": "None"}, "interface": next(
            p for p in l3 if hop.startswith(_subnet(device, p) + ".")), "metric": "10", "destination": dst}
        for name, dst, hop in _static_routes(device)
    }  # fmt: skip
    tree: ConfigTree = {
        "config": {
            "mgt-config": {
                "users": {
                    "admin": {"phash": secrets["admin_phash"], "permissions": {"role-based": {"superuser": "yes"}}},
                },
                "password-complexity": {"enabled": "yes", "minimum-length": "12"},
            },
            "shared": {
                "server-profile": {
                    "radius": {
                        "corp-radius": {
                            "server": {
                                "rad1": {"ip-address": "10.0.10.5", "secret": secrets["radius_secret"], "port": "1812"}
                            },
                            "protocol": {"PAP": {}},
                        }
                    },
                    "tacplus": {
                        "corp-tacacs": {
                            "server": {
                                "tac1": {"address": "10.0.10.6", "secret": secrets["tacacs_secret"], "port": "49"}
                            }
                        }
                    },
                },
                "local-user-database": {"user": {"breakglass": {"phash": secrets["breakglass_phash"]}}},
                "authentication-profile": {
                    "corp-tacacs": {"method": {"tacplus": {"server-profile": "corp-tacacs"}}},
                },
                "log-settings": {
                    "syslog": {
                        "corp-syslog": {
                            "server": {
                                "syslog1": {
                                    "server": "10.0.10.7",
                                    "transport": "UDP",
                                    "port": "514",
                                    "format": "BSD",
                                    "facility": "LOG_USER",
                                }
                            }
                        }
                    },
                    "http": {"siem-hec": _http_server_profile(secrets)},
                },
                "external-list": {
                    "blocklist": {
                        "type": {
                            "ip": {
                                "recurring": {"five-minute": None},
                                "url": f"https://edl-reader:{secrets['edl_url_password']}@lists.example.net/block.txt",
                                "auth": {"username": "edl-reader", "password": secrets["edl_auth_password"]},
                            }
                        }
                    }
                },
                "scep": {
                    "corp-scep": {
                        "scep-challenge": {"fixed": secrets["scep_challenge"]},
                        "scep-url": "https://ndes.example.net/certsrv/mscep/mscep.dll",
                        "ca-identity-name": f"{device.customer}-ca",
                        "digest": "sha256",
                    }
                },
                "x-lab-extension": {"opaque-state": secrets["opaque_blob"]},
                "certificate": {
                    f"{device.name}-mgmt": {
                        "subject-hash": _digest(device, "subject", 8).lower(),
                        "issuer-hash": _digest(device, "issuer", 8).lower(),
                        "not-valid-before": '"Jan 10 09:00:00 2024 GMT"',
                        "issuer": f"/CN={device.customer}-ca",
                        "not-valid-after": '"Jan  9 09:00:00 2027 GMT"',
                        "common-name": device.name,
                        "expiry-epoch": "1799485200",
                        "ca": "no",
                        "subject": f"/CN={device.name}",
                        "public-key": _certificate(device),
                        "algorithm": "RSA",
                        "private-key": secrets["private_key"],
                    }
                },
            },
            "devices": {
                "localhost.localdomain": {
                    "network": {
                        "interface": {
                            "ethernet": {
                                port: {"layer3": {"ip": {f"{_subnet(device, port)}.1/24": None}}} for port in l3
                            }
                        },
                        "virtual-router": {
                            "default": {
                                "interface": l3,
                                "routing-table": {"ip": {"static-route": statics}},
                            }
                        },
                        "ike": {
                            "crypto-profiles": {
                                "ike-crypto-profiles": {
                                    "default": {
                                        "encryption": ["aes-128-cbc", "3des"],
                                        "hash": ["sha1", "sha256"],
                                        "dh-group": "group2",
                                    }
                                }
                            },
                            "gateway": {
                                f"gw-{device.site}-hub": {
                                    "authentication": {"pre-shared-key": {"key": secrets["ike_psk"]}},
                                    "protocol": {"ikev2": {"dpd": {"enable": "yes"}}, "version": "ikev2"},
                                    "local-address": {"interface": outside},
                                    "peer-address": {"ip": peer},
                                }
                            },
                        },
                    },
                    "deviceconfig": {
                        "system": {
                            "hostname": device.name,
                            "ip-address": mgmt,
                            "netmask": "255.255.255.0",
                            "default-gateway": mgmt.rsplit(".", 1)[0] + ".1",
                            "ntp-servers": {
                                "primary-ntp-server": {"ntp-server-address": ntp[0]},
                                "secondary-ntp-server": {"ntp-server-address": ntp[1]},
                            },
                            "snmp-setting": {
                                "access-setting": {
                                    "version": {
                                        "v3": {
                                            "views": {
                                                "all": {"view": {"all": {"oid": "1.3.6.1", "option": "include"}}}
                                            },
                                            "users": {
                                                "estate-mon": {
                                                    "view": "all",
                                                    "authpwd": secrets["snmp_auth_password"],
                                                    "privpwd": secrets["snmp_priv_password"],
                                                }
                                            },
                                        }
                                    }
                                }
                            },
                            "service": {"disable-telnet": "yes", "disable-http": "yes"},
                            "authentication-profile": "corp-tacacs",
                            "timezone": "UTC",
                            "login-banner": '"Authorised access only"',
                        },
                    },
                    "vsys": {
                        "vsys1": {
                            "zone": {
                                "untrust": {"network": {"layer3": [outside]}},
                                "trust": {"network": {"layer3": inside}},
                            },
                            "rulebase": {
                                "security": {
                                    "rules": {
                                        "allow-outbound": {
                                            "to": ["untrust"],
                                            "from": ["trust"],
                                            "source": ["any"],
                                            "destination": ["any"],
                                            "application": ["any"],
                                            "service": ["application-default"],
                                            "action": "allow",
                                        }
                                    }
                                }
                            },
                        }
                    },
                }
            },
        }
    }
    return "\n".join(_render(tree))


def show_config_running(view: DeviceView, args: dict[str, str]) -> str:
    """``show config running``: the device's generated configuration (``running_config``), with the changes of
    ``lab ctl set-config``."""
    text = running_config(view.device)
    return view.runtime.edit_config(text) if view.runtime is not None else text
