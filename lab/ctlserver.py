"""The running lab's control channel: line-based JSON on a Unix socket in the state dir (``ctl.sock``, mode 0600).

One request per line, one answer per line::

    {"verb": "status"}                                   -> {"ok": true, "devices": [{name, platform, ...}, ...]}
    {"verb": "replace-optics", "device": "fw1", "args": []} -> {"ok": true, "message": "fw1: 2 optics replaced"}
    anything refused                                      -> {"ok": false, "error": "one line"}

Verbs: ``status``, ``replace-optics DEVICE``, ``fault DEVICE KIND``, ``link-down DEVICE PORT``,
``pull-optic DEVICE PORT``. ``lab.control.status_json`` / ``ctl`` are the client.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from pathlib import Path
from typing import Any

from lab.estate import Estate
from lab.runtime import FAULT_KINDS, DeviceRuntime, Refused

log = logging.getLogger(__name__)

CONTROL_SOCKET = "ctl.sock"
VERBS: dict[str, int] = {"replace-optics": 0, "fault": 1, "link-down": 1, "pull-optic": 1}  # verb -> argument count
_USAGE = {
    "replace-optics": "replace-optics DEVICE",
    "fault": f"fault DEVICE KIND (KIND: {', '.join(FAULT_KINDS)})",
    "link-down": "link-down DEVICE PORT",
    "pull-optic": "pull-optic DEVICE PORT",
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
        return {"ok": False, "error": f"unknown verb {verb!r} (one of status, {', '.join(VERBS)})"}
    name, args = request.get("device"), request.get("args") or []
    runtime = runtimes.get(str(name))
    if runtime is None:
        return {"ok": False, "error": f"unknown device {name!r}"}
    if not isinstance(args, list) or len(args) != VERBS[verb]:
        return {"ok": False, "error": f"usage: {_USAGE[verb]}"}
    try:
        message = _apply(verb, runtime, [str(a) for a in args], now)
    except Refused as exc:
        return {"ok": False, "error": str(exc)}
    log.info("ctl %s %s %s: %s", verb, name, " ".join(map(str, args)), message)
    return {"ok": True, "message": message}


def _apply(verb: str, runtime: DeviceRuntime, args: list[str], now: float) -> str:
    name = runtime.base.name
    if verb == "replace-optics":
        return f"{name}: {runtime.replace_optics(now)} optics replaced with OEM parts"
    if verb == "fault":
        runtime.inject(args[0])
        return f"{name}: fault {args[0]} armed"
    if verb == "link-down":
        runtime.set_link_down(args[0], device_ports(runtime))
        return f"{name}: {args[0]} link down"
    runtime.pull_optic(args[0])
    return f"{name}: optic pulled from {args[0]}"


async def start_control(state_dir: Path, runtimes: dict[str, DeviceRuntime], estate: Estate) -> asyncio.AbstractServer:
    """Serve the control socket of ``state_dir`` (replacing a stale one)."""
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

    server = await asyncio.start_unix_server(client, path=str(path))
    os.chmod(path, 0o600)
    log.info("control socket %s for %d devices", path, len(estate.devices))
    return server
