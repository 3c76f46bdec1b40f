"""PAN-OS facts and optics: `show system info`, the HA state, `show system state` (pseudo-JSON) per port."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from tasks.errors import ParseError
from tasks.models import Facts, Transceiver
from tasks.platforms.paloalto_panos.commands import COMMANDS, DEVICE_TYPE, strip_session
from tasks.platforms.paloalto_panos.version import parse_panos
from tasks.platforms.text import first_line, key_values, ntc

_PROMPT_HA_RE = re.compile(r"\((?P<state>[\w-]+)\)[>#]?\s*$")


def ha_state_from_prompt(prompt: str) -> str | None:
    """The HA state PAN-OS shows in the prompt of a firewall in an HA pair, else None.

    >>> ha_state_from_prompt("admin@fw01(passive)>"), ha_state_from_prompt("admin@fw01")
    ('passive', None)
    """
    match = _PROMPT_HA_RE.search(prompt.strip())
    return match["state"] if match else None


# Fields of `show system info` copied into Facts.extra when present.
EXTRA_FIELDS: tuple[str, ...] = (
    "advanced-routing",  # `on`: the Advanced Routing Engine (routes from `show advanced-routing route`)
    "family",
    "platform-family",
    "app-version",
    "av-version",
    "threat-version",
    "wildfire-version",
    "url-filtering-version",
    "global-protect-client-package-version",
    "logdb-version",
    "vm-license",
    "vm-mode",
    "multi-vsys",
    "operational-mode",
    "ip-address",
)
_REQUIRED_INFO = ("hostname", "model", "sw-version")

# ntc-templates field name -> the name PAN-OS prints (the template renames a few).
_NTC_TO_PANOS = {
    "ip_address": "ip-address",
    "gateway": "default-gateway",
    "mac_address": "mac-address",
    "vm_license": "vm-license",
    "vm_mode": "vm-mode",
    "os": "sw-version",
    "platform_family": "platform-family",
    "vpn_disable_mode": "vpn-disable-mode",
    "multi_vsys": "multi-vsys",
    "operational_mode": "operational-mode",
}

_KV_RE = re.compile(r"^(?P<key>[A-Za-z][\w.-]*):[ \t]*(?P<value>.*)$")
_PHY_KEY_RE = re.compile(r"^sys\.s(?P<slot>\d+)\.p(?P<port>\d+)\.phy$")
_STATE_LINE_RE = re.compile(r"^(?P<key>[A-Za-z][\w-]*(?:\.[\w-]+)+):\s*(?P<value>.*)$")
# A scalar value ends at the comma that is followed by the next quoted key or by the closing brace.
_SPACES_RE = re.compile(r"\s*")  # str.isspace() characters: `\s` on text is the same test
_VALUE_END_RE = re.compile(r",\s*(?='[^']*'\s*:|\})")
# One step of `_parse_object`'s grammar at a time, for `_read_object`: a key with its nested object's opening brace,
# a key with its scalar value (ended as _VALUE_END_RE ends it), or a closing brace with the comma after it.
_OPEN_RE = re.compile(r"\s*\{")
_ITEM_RE = re.compile(r"\s*(?:'([^']*)'\s*:\s*(?:(\{)|(.*?),\s*(?='[^']*'\s*:|\}))|(\})(?:\s*,)?)")
_HA_DISABLED_RE = re.compile(r"^\s*HA not enabled\.?\s*$", re.IGNORECASE | re.MULTILINE)


# --- show system info -------------------------------------------------------------------------------


def parse_system_info(text: str) -> dict[str, str]:
    """Parse `show system info` into {field: value}, keyed by the names PAN-OS prints (`sw-version`, ...).

    ntc-templates' template gives the core fields; a key/value parse adds the ones the template drops
    (`app-version`, `threat-version`, ...). Raises ParseError when hostname, model or sw-version is missing.

    >>> info = parse_system_info("hostname: fw1\\nmodel: PA-3220\\nserial: 0132\\nsw-version: 10.2.4-h4\\n")
    >>> info["sw-version"]
    '10.2.4-h4'
    """
    lines = strip_session(text)
    cleaned = "\n".join(lines) + "\n"
    result = key_values(lines, _KV_RE)
    records = ntc(DEVICE_TYPE, COMMANDS["facts"], cleaned)  # [] when the template rejects the text
    result.update({_NTC_TO_PANOS.get(k, k): str(v) for k, v in (records or [{}])[0].items() if v not in (None, "")})
    missing = [key for key in _REQUIRED_INFO if not result.get(key)]
    if missing:
        raise ParseError(f"show system info: no {', '.join(missing)} line in output starting {first_line(text)!r}")
    return result


# --- show high-availability state / all --------------------------------------------------------------


def parse_ha_state(text: str) -> dict[str, Any]:
    """Parse `show high-availability state` (or `... all`) into the local and peer state.

    Returns {enabled, mode, local_state, peer_state, peer_connection, state_sync}; values are None when
    not printed, and `HA not enabled` gives enabled False with every state None.

    >>> parse_ha_state("HA not enabled")["local_state"] is None
    True
    """
    result: dict[str, Any] = {
        "enabled": False,
        "mode": None,
        "local_state": None,
        "peer_state": None,
        "peer_connection": None,
        "state_sync": None,
    }
    lines = strip_session(text)
    if not lines or _HA_DISABLED_RE.search("\n".join(lines)):
        return result
    section = ""
    section_indent = -1
    seen_local = False
    for raw in lines:
        stripped = raw.strip()
        indent = len(raw) - len(raw.lstrip())
        if stripped in ("Local Information:", "Peer Information:"):
            section = "local" if stripped.startswith("Local") else "peer"
            section_indent = indent
            seen_local = seen_local or section == "local"
            continue
        if section and indent <= section_indent:
            section = ""  # a sibling block (e.g. Link Monitoring Information) ends the section
        key, sep, value = stripped.partition(":")
        if not sep:
            continue
        key, value = key.strip(), value.strip()
        if not section and key == "Mode" and result["mode"] is None:
            result["mode"] = value
        elif section == "local" and key == "State" and result["local_state"] is None:
            result["local_state"] = value.split()[0] if value else None
        elif section == "local" and key == "State Synchronization" and result["state_sync"] is None:
            result["state_sync"] = value.split(";")[0].strip() or None
        elif section == "peer" and key == "State" and result["peer_state"] is None:
            result["peer_state"] = value.split()[0] if value else None
        elif section == "peer" and key == "Connection status" and result["peer_connection"] is None:
            result["peer_connection"] = value or None
    if not seen_local or result["local_state"] is None:
        raise ParseError(f"show high-availability: no local State in output starting {first_line(text)!r}")
    result["enabled"] = True
    return result


# --- show system state filter sys.s*.p*.phy ------------------------------------------------------------


def _parse_object(text: str, pos: int, where: str) -> tuple[dict[str, Any], int]:
    """Parse `{ 'key': value, 'key': { ... }, }` starting at `pos`; returns the dict and the next position."""

    def fail(reason: str) -> ParseError:
        return ParseError(f"show system state: {where}: {reason} at column {pos + 1}")

    def skip_ws(i: int) -> int:
        spaces = _SPACES_RE.match(text, i)  # `\s*` matches at every position
        return spaces.end() if spaces else i

    pos = skip_ws(pos)
    if pos >= len(text) or text[pos] != "{":
        raise fail("expected '{'")
    pos += 1
    result: dict[str, Any] = {}
    while True:
        pos = skip_ws(pos)
        if pos >= len(text):
            raise fail("unterminated '{'")
        if text[pos] == "}":
            return result, pos + 1
        if text[pos] != "'":
            raise fail("expected a quoted key")
        end = text.find("'", pos + 1)
        if end < 0:
            raise fail("unterminated key")
        key = text[pos + 1 : end]
        pos = skip_ws(end + 1)
        if pos >= len(text) or text[pos] != ":":
            raise fail(f"expected ':' after {key!r}")
        pos = skip_ws(pos + 1)
        if pos < len(text) and text[pos] == "{":
            value, pos = _parse_object(text, pos, where)
            result[key] = value
            pos = skip_ws(pos)
            if pos < len(text) and text[pos] == ",":
                pos += 1
            continue
        match = _VALUE_END_RE.search(text, pos)
        if match is None:
            raise fail(f"unterminated value of {key!r}")
        result[key] = text[pos : match.start()].strip()
        pos = match.end()


def _read_object(text: str) -> tuple[dict[str, Any], int] | None:
    """`_parse_object(text, 0, ...)` for text it parses without error, a regular expression match per key instead of
    several (a device's state: ~0.5 ms of CPU less); None for any text it would not parse, whose error is worded
    by `_parse_object`. The same grammar: the same keys, values and end (tests/unit/test_parsers_paloalto_panos.py)."""
    opened = _OPEN_RE.match(text)
    if opened is None:
        return None
    root: dict[str, Any] = {}
    objects = [root]
    pos = opened.end()
    while True:
        item = _ITEM_RE.match(text, pos)
        if item is None:
            return None
        key, nested, value, closed = item.groups()
        if closed is not None:
            objects.pop()
            if not objects:
                return root, item.end(4)
        elif nested is not None:
            child: dict[str, Any] = {}
            objects[-1][key] = child
            objects.append(child)
        else:
            objects[-1][key] = value.strip()
        pos = item.end()


def parse_system_state(text: str) -> dict[str, dict[str, Any]]:
    """Parse the single-line `show system state` form into {key: value} for every `sys.sN.pM.phy` key.

    Values are nested dicts of stripped strings. Other keys (`local.*`, ...) are ignored. An empty output
    is {}; an output without any `sys.` line is not PAN-OS state output and raises ParseError.

    >>> parse_system_state("sys.s1.p1.phy: { 'media': CAT5, 'type': Ethernet, }")
    {'sys.s1.p1.phy': {'media': 'CAT5', 'type': 'Ethernet'}}
    """
    lines = [line for line in strip_session(text) if line.strip()]
    if not lines:
        return {}
    result: dict[str, dict[str, Any]] = {}
    seen_sys = False
    for line in lines:
        match = _STATE_LINE_RE.match(line.strip())
        if match is None:
            continue
        key = match["key"]
        seen_sys = seen_sys or key.startswith("sys.")
        if not _PHY_KEY_RE.match(key):
            continue
        value, end = _read_object(match["value"]) or _parse_object(match["value"], 0, key)
        if match["value"][end:].strip():
            raise ParseError(f"show system state: {key}: unexpected text after the closing brace")
        result[key] = value
    if not seen_sys:
        raise ParseError(f"show system state: no sys.* lines in output starting {first_line(text)!r}")
    return result


def _port_name(key: str) -> str:
    """`sys.s1.p17.phy` -> `ethernet1/17`."""
    match = _PHY_KEY_RE.match(key)
    if match is None:
        raise ValueError(f"not a sys.sN.pM.phy key: {key!r}")
    return f"ethernet{match['slot']}/{match['port']}"


def _optic_type(sfp: Mapping[str, Any], media: str) -> str:
    """The `transceiver` code (e.g. `10000B-SR`) when it reads as one word, else the port's media.

    Some modules report a list of compliance codes there instead (`S dist,SN,M5` on the PR #111 QSFP),
    which is not a type name, so the media (`QSFP-Plus-Fiber`) is used.
    """
    code = str(sfp.get("transceiver", "")).strip()
    if code and not re.search(r"[\s,]", code):
        return code
    return media


def transceivers_from_state(state: Mapping[str, Mapping[str, Any]]) -> list[Transceiver]:
    """Transceivers from parsed phy state: ports with an `sfp` block that names a module, sorted by port."""
    found: list[tuple[tuple[int, int], Transceiver]] = []
    for key, phy in state.items():
        sfp = phy.get("sfp")
        if not isinstance(sfp, Mapping):
            continue  # copper port: no pluggable module
        vendor = str(sfp.get("vendor-name", "")).strip()
        part = str(sfp.get("vendor-part-number", "")).strip()
        if not vendor and not part and not sfp.get("identifier"):
            continue  # an empty cage
        match = _PHY_KEY_RE.match(key)
        if match is None:
            continue  # not a port's phy state
        transceiver = Transceiver(
            port=_port_name(key),
            type=_optic_type(sfp, str(phy.get("media", "")).strip()),
            vendor=vendor,
            part=part,
            serial=str(sfp.get("vendor-serial-number", "")).strip(),
            revision=str(sfp.get("vendor-part-rev", "")).strip(),
        )
        found.append(((int(match["slot"]), int(match["port"])), transceiver))
    return [t for _, t in sorted(found, key=lambda item: item[0])]


def parse_transceivers(text: str) -> list[Transceiver]:
    """Parse `show system state filter sys.s*.p*.phy` into the pluggable optics, one per port.

    >>> line = ("sys.s1.p17.phy: { 'media': SFP-Plus-Fiber, 'sfp': { 'transceiver': 10000B-SR, "
    ...         "'vendor-name': OEM             , 'vendor-part-number': PAN-SFP-PLUS-SR , }, }")
    >>> [(t.port, t.type, t.vendor, t.part) for t in parse_transceivers(line)]
    [('ethernet1/17', '10000B-SR', 'OEM', 'PAN-SFP-PLUS-SR')]
    """
    return transceivers_from_state(parse_system_state(text))


def transceiver_followups(outputs: Mapping[str, str]) -> dict[str, str]:
    """PAN-OS prints every optic in one output: no per-port command follows."""
    return {}


def read_transceivers(outputs: Mapping[str, str]) -> list[Transceiver]:
    """The optics in the outputs of `TRANSCEIVER_COMMANDS` ({purpose: output})."""
    return parse_transceivers(outputs["transceivers"])


def media_by_port(text: str) -> dict[str, str]:
    """The `media` of every phy port (`SFP-Plus-Fiber`, `QSFP-Plus-Fiber`, `CAT5`), keyed by port name.

    >>> media_by_port("sys.s1.p1.phy: { 'media': CAT5, 'type': Ethernet, }")
    {'ethernet1/1': 'CAT5'}
    """
    return {_port_name(key): str(phy.get("media", "")).strip() for key, phy in parse_system_state(text).items()}


# --- facts ---------------------------------------------------------------------------------------------


def read_facts(outputs: Mapping[str, str], prompt: str = "") -> Facts:
    """Facts from the outputs of `FACTS_COMMANDS` ({purpose: output}) and the session's prompt.

    The HA state comes from the `ha` output (`show high-availability state`) when given, else from the
    prompt. Raises ParseError when an output is not what PAN-OS prints or sw-version is not a PAN-OS version.

    >>> info = "hostname: fw1\\nmodel: PA-3220\\nserial: 0132\\nsw-version: 10.2.4-h4\\n"
    >>> f = read_facts({"facts": info}, prompt="admin@fw1(active)")
    >>> f.hostname, f.model, f.version, f.ha_state
    ('fw1', 'PA-3220', '10.2.4-h4', 'active')
    """
    if "facts" not in outputs:
        raise ValueError(f"facts outputs lack the 'facts' purpose: got {sorted(outputs)}")
    system_info, ha = outputs["facts"], outputs.get("ha")
    info = parse_system_info(system_info)
    try:
        parse_panos(info["sw-version"])
    except ValueError as exc:
        raise ParseError(f"show system info: {exc}") from None
    extra = {key: info[key] for key in EXTRA_FIELDS if info.get(key)}
    ha_state = ha_state_from_prompt(prompt)
    if ha is not None:
        state = parse_ha_state(ha)
        ha_state = state["local_state"]
        for key in ("peer_state", "peer_connection", "state_sync"):
            if state[key]:
                extra[f"ha-{key.replace('_', '-')}"] = state[key]
    return Facts(
        hostname=info["hostname"],
        model=info["model"],
        serial=info.get("serial", ""),
        version=info["sw-version"],
        uptime=info.get("uptime", ""),
        ha_state=ha_state,
        extra=extra,
    )
