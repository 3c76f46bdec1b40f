"""Start, stop and inspect a lab running as a detached background process."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from lab import personalities
from lab.ctlserver import CONTROL_SOCKET
from lab.server import LabError
from lab.state import LOG_FILE, LabInfo, read_state, remove_state

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parent.parent
DEFAULT_STATE_DIR = REPO / ".lab"
DEFAULT_INVENTORY_OUT = DEFAULT_STATE_DIR / "inventory"
DEFAULT_ESTATE = Path(__file__).resolve().parent / "estates" / "demo.yaml"
READY_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 5.0

_children: dict[int, subprocess.Popen[bytes]] = {}


def serve_command(
    estate: Path,
    state_dir: Path,
    inventory_out: Path | None,
    base_port: int | None,
    max_runtime: float | None,
    plugins: tuple[str, ...] = (),
    matrices: Path | None = None,
) -> list[str]:
    """The command line of a foreground lab process."""
    cmd = [sys.executable, "-m", "lab", "serve", "--estate", str(estate), "--state-dir", str(state_dir)]
    for plugin in plugins:
        cmd += ["--plugin", plugin]
    if matrices is not None:
        cmd += ["--matrices", str(matrices)]
    if inventory_out is not None:
        cmd += ["--inventory-out", str(inventory_out)]
    if base_port is not None:
        cmd += ["--base-port", str(base_port)]
    if max_runtime is not None:
        cmd += ["--max-runtime", str(max_runtime)]
    return cmd


def start(
    estate: Path,
    state_dir: Path,
    inventory_out: Path | None = None,
    base_port: int | None = None,
    max_runtime: float | None = None,
    plugins: tuple[str, ...] = (),
    matrices: Path | None = None,
) -> LabInfo:
    """Launch the lab in the background and wait until it serves; ``LabError`` with the log tail if not.

    The inventory goes to ``inventory_out`` (default ``<state_dir>/inventory``). ``plugins`` are modules
    (e.g. ``tests.platforms.acme_os``) that register a personality when imported; the lab process imports them
    before it loads the estate (its working directory is the repo root). ``matrices`` is the folder release
    facts are read from (default: the repo's ``matrices/``).
    """
    personalities.import_plugins(plugins)
    personalities.load_estate(estate)  # fail fast, in-process, with the one-line EstateFileError
    state_dir = state_dir.resolve()
    inventory_out = (inventory_out or state_dir / "inventory").resolve()
    if status(state_dir) is not None:
        raise LabError(f"a lab is already running for {state_dir} (stop it first)")
    state_dir.mkdir(parents=True, exist_ok=True)
    remove_state(state_dir)
    folder = matrices.resolve() if matrices is not None else None
    cmd = serve_command(estate.resolve(), state_dir, inventory_out, base_port, max_runtime, plugins, folder)
    with open(state_dir / LOG_FILE, "ab") as logfile:
        start_of_log = logfile.tell()  # lab.log keeps earlier labs' lines: a failure reports this start's only
        proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=logfile, stderr=subprocess.STDOUT, cwd=REPO, start_new_session=True
        )
    _children[proc.pid] = proc
    return _wait_ready(proc, state_dir, start_of_log)


def _wait_ready(proc: subprocess.Popen[bytes], state_dir: Path, start_of_log: int) -> LabInfo:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        info = read_state(state_dir)
        if info is not None and info.pid == proc.pid:
            log.info("lab pid %d serves %d devices", info.pid, len(info.devices))
            return info
        if proc.poll() is not None:
            _children.pop(proc.pid, None)
            output = _log_since(state_dir, start_of_log)
            errors = [line.removeprefix(ERROR_PREFIX) for line in output if line.startswith(ERROR_PREFIX)]
            if errors:
                raise LabError(errors[-1])
            raise LabError(f"lab exited with code {proc.returncode}: {_tail(output)}")
        time.sleep(0.05)
    _terminate(proc.pid)
    raise LabError(f"lab not ready after {READY_TIMEOUT_S:.0f} s: {_tail(_log_since(state_dir, start_of_log))}")


# How `python -m lab serve` prints the error it stops on (lab/__main__.py).
ERROR_PREFIX = "error: "


def _log_since(state_dir: Path, offset: int) -> list[str]:
    """The lines lab.log gained from `offset` on: what this start of the lab wrote."""
    try:
        with open(state_dir / LOG_FILE, "rb") as logfile:
            logfile.seek(offset)
            text = logfile.read().decode("utf-8", errors="replace")
    except OSError:
        return []
    return [line for line in text.strip().splitlines() if line.strip()]


def _tail(lines: list[str], count: int = 5) -> str:
    return " | ".join(lines[-count:]) or "(nothing in the log)"


def _alive(pid: int) -> bool:
    """True if ``pid`` runs (a zombie child is reaped and counts as gone)."""
    child = _children.get(pid)
    if child is not None:
        if child.poll() is None:
            return True
        _children.pop(pid, None)
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return _is_lab_process(pid)


def _is_lab_process(pid: int) -> bool:
    """Guard against a reused pid: the process must be a ``-m lab serve`` (where /proc tells)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    running = stat.rsplit(")", 1)[-1].split()[0] != "Z"
    return running and b"lab" in cmdline and b"serve" in cmdline


def _terminate(pid: int) -> None:
    """SIGTERM, wait, then SIGKILL."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while time.monotonic() < deadline:
            if not _alive(pid):
                return
            time.sleep(0.05)


def status(state_dir: Path) -> LabInfo | None:
    """What the lab of ``state_dir`` serves, or None if none runs (a stale state file is ignored)."""
    info = read_state(state_dir.resolve())
    if info is None or not _alive(info.pid):
        return None
    return info


def stop(state_dir: Path) -> bool:
    """Stop the lab of ``state_dir`` and remove its state; False if nothing was running."""
    state_dir = state_dir.resolve()
    info = read_state(state_dir)
    running = info is not None and _alive(info.pid)
    if info is not None and running:
        _terminate(info.pid)
    remove_state(state_dir)
    return running


class ControlError(LabError):
    """A control request the running lab refused (bad verb, device, port), or no lab to ask."""


CTL_TIMEOUT_S = 10.0


def _request(state_dir: Path, request: dict[str, object]) -> dict[str, object]:
    """Send one request line to the running lab's control socket; its answer, or ``ControlError``."""
    state_dir = state_dir.resolve()
    if status(state_dir) is None:
        raise ControlError(f"no lab is running for {state_dir}")
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(CTL_TIMEOUT_S)
            sock.connect(str(state_dir / CONTROL_SOCKET))
            sock.sendall((json.dumps(request) + "\n").encode())
            data = b""
            while not data.endswith(b"\n"):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
    except OSError as exc:
        raise ControlError(f"lab control socket: {exc.strerror or exc}") from None
    reply = json.loads(data or b"{}")
    if not reply.get("ok"):
        raise ControlError(str(reply.get("error", "no answer from the lab")))
    return dict(reply)


def status_json(state_dir: Path) -> list[dict[str, object]]:
    """One object per device: name, platform, version (running), state, ha_state, non_oem_optics, requests."""
    devices = _request(state_dir, {"verb": "status"})["devices"]
    assert isinstance(devices, list)
    return [dict(device) for device in devices]


def ctl(state_dir: Path, verb: str, device: str, *args: str) -> str:
    """Change a running lab device (``replace-optics``, ``fault KIND``, ``link-down PORT``, ``pull-optic PORT``,
    ``set-config --add LINE --remove REGEX``, ``rekey``: a new SSH host key)."""
    if verb == "status":
        raise ControlError("unknown verb 'status' (use `estate lab status --json`)")
    return str(_request(state_dir, {"verb": verb, "device": device, "args": list(args)})["message"])
