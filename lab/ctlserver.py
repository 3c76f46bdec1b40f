"""The running lab's control channel: line-based JSON on a Unix socket in the state dir (``ctl.sock``, mode 0600).

One request per line, one answer per line::

    {"verb": "status"}                                   -> {"ok": true, "devices": [{name, platform, ...}, ...]}
    {"verb": "replace-optics", "device": "fw1", "args": []} -> {"ok": true, "message": "fw1: 2 optics replaced"}
    anything refused                                      -> {"ok": false, "error": "one line"}

Verbs: ``status``, ``replace-optics DEVICE``, ``fault DEVICE KIND``, ``link-down DEVICE PORT``,
``pull-optic DEVICE PORT``, ``insert-optic DEVICE PORT TYPE VENDOR PART``, ``set-config DEVICE --add LINE
--remove REGEX`` (args as flag/value pairs), ``reset-config DEVICE`` (set-config's changes undone), ``rekey DEVICE``
(the device serves a new SSH host key from its next connection on).
``lab.control.status_json`` / ``ctl`` are the client.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from pathlib import Path
from typing import Any

from lab.estate import Estate, Optic, optic_serial_for
from lab.runtime import FAULT_KINDS, DeviceRuntime, Refused

log = logging.getLogger(__name__)

CONTROL_SOCKET = "ctl.sock"
# verb -> argument count (-1: set-config's `--add LINE` / `--remove REGEX` pairs, at least one)
VERBS: dict[str, int] = {
    "replace-optics": 0,
    "fault": 1,
    "link-down": 1,
    "pull-optic": 1,
    "insert-optic": 4,
    "set-config": -1,
    "reset-config": 0,
    "rekey": 0,
}
_USAGE = {
    "replace-optics": "replace-optics DEVICE",
    "fault": f"fault DEVICE KIND (KIND: {', '.join(FAULT_KINDS)})",
    "link-down": "link-down DEVICE PORT",
    "pull-optic": "pull-optic DEVICE PORT",
    "insert-optic": "insert-optic DEVICE PORT TYPE VENDOR PART (e.g. ethernet1/20 10GBASE-SR FS SFP-10GSR-85)",
    "set-config": "set-config DEVICE [--add LINE]... [--remove REGEX]...",
    "reset-config": "reset-config DEVICE",
    "rekey": "rekey DEVICE",
}


def device_ports(runtime: DeviceRuntime) -> list[str]:
    """The ports of a device: the model's layout (PAN-OS, FortiOS), else the ports holding optics."""
    if runtime.base.platform == "paloalto_panos":
        from lab.personalities.paloalto_panos.hardware import ports

        return [port for port, _ in ports(runtime.base.model)]
    if runtime.base.platform == "fortinet":
        from lab.personalities.fortinet.hardware import MODELS

        return [port for port, _ in MODELS[runtime.base.model]]
    return [optic.port for optic in runtime.base.optics]


def answer(request: Any, runtimes: dict[str, DeviceRuntime], now: float | None = None) -> dict[str, Any]:
    """The answer to one request (pure apart from the runtimes it changes)."""
    now = time.time() if now is None else now
    if not isinstance(request, dict):
        return {"ok": False, "error": "a request is a JSON object"}
    verb = request.get("verb")
    if verb == "status":
        return {"ok": True, "devices": [runtime.status(now) for runtime in runtimes.values()]}
    if verb not in VERBS:
        return {"ok": False, "error": f"unknown verb {verb!r} (one of {', '.join(VERBS)})"}
    name, args = request.get("device"), request.get("args") or []
    runtime = runtimes.get(str(name))
    if runtime is None:
        return {"ok": False, "error": f"unknown device {name!r}"}
    if not isinstance(args, list) or not _arity_ok(verb, args):
        return {"ok": False, "error": f"usage: {_USAGE[verb]}"}
    try:
        message = _apply(verb, runtime, [str(a) for a in args], now)
    except Refused as exc:
        return {"ok": False, "error": str(exc)}
    log.info("ctl %s %s %s: %s", verb, name, " ".join(map(str, args)), message)
    return {"ok": True, "message": message}


def _arity_ok(verb: str, args: list[Any]) -> bool:
    if VERBS[verb] >= 0:
        return len(args) == VERBS[verb]
    pairs = list(zip(args[::2], args[1::2], strict=False))
    return bool(args) and len(args) % 2 == 0 and all(flag in ("--add", "--remove") for flag, _ in pairs)


def _apply(verb: str, runtime: DeviceRuntime, args: list[str], now: float) -> str:
    name = runtime.base.name
    if verb == "set-config":
        pairs = list(zip(args[::2], args[1::2], strict=True))
        add = [value for flag, value in pairs if flag == "--add"]
        remove = [value for flag, value in pairs if flag == "--remove"]
        runtime.set_config(add, remove)
        return f"{name}: configuration changed ({len(add)} added, {len(remove)} removal patterns)"
    if verb == "reset-config":
        runtime.reset_config()
        return f"{name}: configuration as the estate file serves it"
    if verb == "rekey":
        if runtime.on_rekey is None:
            raise Refused(f"{name}: not served over SSH (refuse fault): no host key to change")
        old = runtime.host_key
        runtime.on_rekey(runtime)
        return f"{name}: host key changed from {old} to {runtime.host_key}"
    if verb == "replace-optics":
        return f"{name}: {runtime.replace_optics(now)} optics replaced with OEM parts"
    if verb == "fault":
        runtime.inject(args[0])
        return f"{name}: fault {args[0]} armed"
    if verb == "insert-optic":
        port, kind, vendor, part = args
        optic = Optic(port, kind, vendor, part, optic_serial_for(name, f"{port}-{vendor}-{part}"))
        runtime.insert_optic(optic, device_ports(runtime))
        return f"{name}: {vendor} {part} ({kind}) inserted in {port}"
    if verb == "link-down":
        runtime.set_link_down(args[0], device_ports(runtime))
        return f"{name}: {args[0]} link down"
    runtime.pull_optic(args[0])
    return f"{name}: optic pulled from {args[0]}"


async def start_control(
    state_dir: Path, runtimes: dict[str, DeviceRuntime], estate: Estate
) -> asyncio.AbstractServer | None:
    """Serve the control socket of ``state_dir`` (replacing a stale one); None, logged, if it cannot be made (a
    state dir path too long for a Unix socket): the lab still serves, `lab ctl` then says it cannot connect."""
    path = state_dir / CONTROL_SOCKET
    state_dir.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)

    async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while line := await reader.readline():
                try:
                    reply = answer(json.loads(line), runtimes)
                except ValueError:
                    reply = {"ok": False, "error": "not a JSON line"}
                writer.write((json.dumps(reply) + "\n").encode())
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    try:
        server = await asyncio.start_unix_server(client, path=str(path))
    except OSError as exc:
        log.warning("no control socket at %s: %s", path, exc)
        return None
    os.chmod(path, 0o600)
    log.info("control socket %s for %d devices", path, len(estate.devices))
    return server
