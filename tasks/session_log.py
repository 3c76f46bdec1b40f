"""netmiko session logs, redacted: off by default; with `session_log: true` one per device in the run folder.

netmiko writes what the device sent (and, with `record_writes`, what was sent to it) into its `SessionLog`, which
already replaces the password and enable secret it sent with `********` (its `no_log`). That is not enough for a
file an engineer may attach to a ticket: `show running-config` prints the device's own secrets (enable secrets,
SNMP communities, RADIUS keys, PAN-OS and FortiOS encrypted values). `RedactedSessionLog` is the file-like sink
netmiko's `SessionLog` writes into: it keeps the transcript in memory and, when the session closes, writes it
once, through the platform's configuration sanitiser (`Platform.sanitise_config`, the one backups use) and with
any credential still in it replaced, to `<run folder>/sessions/<device>.log` (temporary file, then rename). A
transcript the sanitiser cannot read is not written: its file says so in one line.

>>> import tempfile
>>> path = Path(tempfile.mkdtemp()) / "fw01.log"
>>> sink = RedactedSessionLog(path, lambda t: t.replace("s3cret-c0mm", "<removed>"), ("pw-1",))
>>> _ = sink.write(b"fw01# show run\\nsnmp-server community s3cret-c0mm RO\\nlogin pw-1\\n")
>>> sink.close()
>>> print(path.read_text())
fw01# show run
snmp-server community <removed> RO
login ********
<BLANKLINE>
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

HIDDEN = "********"  # what netmiko's SessionLog writes in place of the password it sent
SESSION_LOGS = "session_logs"  # user_defined.estate key: {"address:port": the session log's path}
WITHHELD = "session log withheld: the configuration sanitiser could not read it\n"


class RedactedSessionLog(io.BufferedIOBase):
    """A write-only sink for netmiko's `SessionLog`: on `close`, the whole transcript, redacted, in `path`."""

    def __init__(self, path: Path, sanitise: Callable[[str], str] | None, hidden: tuple[str, ...]) -> None:
        super().__init__()
        self.path = path
        self._sanitise = sanitise
        self._hidden = tuple(h for h in hidden if h)
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._chunks.append(chunk)
        return len(chunk)

    def close(self) -> None:
        if self.closed:
            return
        try:
            text = redact(b"".join(self._chunks).decode("utf-8", "replace"), self._sanitise, self._hidden)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_name(f".{self.path.name}.tmp")
            temporary.write_text(text, encoding="utf-8")
            os.replace(temporary, self.path)
        except OSError as exc:
            log.warning("session log %s not written: %s", self.path, exc.strerror or exc)
        finally:
            self._chunks = []
            super().close()


def redact(text: str, sanitise: Callable[[str], str] | None, hidden: tuple[str, ...]) -> str:
    """`text` with each of `hidden` replaced by `********`, then through `sanitise` (WITHHELD when it fails).

    >>> redact("user x pass pw-1", None, ("pw-1",))
    'user x pass ********'
    >>> redact("enable secret 5 $1$x$y", lambda t: 1 / 0, ())
    'session log withheld: the configuration sanitiser could not read it\\n'
    """
    for value in hidden:
        text = text.replace(value, HIDDEN)
    if sanitise is None:
        return text
    try:
        return sanitise(text)
    except Exception as exc:  # a debugging aid must never fail a device, nor write what it could not clean
        log.warning("session log withheld: %s: %s", type(exc).__name__, exc)
        return WITHHELD


def session_log_path(estate: Mapping[str, Any], hostname: str | None, port: int | None) -> Path | None:
    """Where this connection's session log goes (`user_defined.estate.session_logs`), or None: logs are off.

    >>> session_log_path({SESSION_LOGS: {"192.0.2.1:22": "/out/run/sessions/fw01.log"}}, "192.0.2.1", None)
    PosixPath('/out/run/sessions/fw01.log')
    >>> session_log_path({}, "192.0.2.1", 22) is None
    True
    """
    where = (estate.get(SESSION_LOGS) or {}).get(f"{hostname}:{port or 22}")
    return Path(where) if where else None
