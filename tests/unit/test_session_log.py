"""Session logs (tasks/session_log.py): a real configuration printed in a session is written with its secrets out."""

from __future__ import annotations

from pathlib import Path

import yaml

from tasks.platforms import get_platform
from tasks.platforms.base import available
from tasks.session_log import HIDDEN, WITHHELD, RedactedSessionLog

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "cisco_ios" / "backup" / "show_running-config"


def test_a_running_configuration_in_a_session_log_loses_every_secret(tmp_path: Path) -> None:
    case = next(SAMPLE.glob("*.txt"))
    secrets = yaml.safe_load(case.with_suffix(".yaml").read_text(encoding="utf-8"))["secrets"]
    sanitise = available(get_platform("cisco_ios").sanitise_config)
    assert sanitise is not None and secrets
    sink = RedactedSessionLog(tmp_path / "sessions" / "sw1.log", sanitise, ("pw-of-the-run",))
    for chunk in ("LAB-SW123_9200L#terminal length 0\n", "login pw-of-the-run\n", case.read_text(encoding="utf-8")):
        for start in range(0, len(chunk), 700):  # netmiko hands it on in pieces
            sink.write(chunk[start : start + 700].encode())
    sink.close()
    written = (tmp_path / "sessions" / "sw1.log").read_text(encoding="utf-8")
    assert "hostname LAB-SW123_9200L" in written and f"login {HIDDEN}" in written
    assert [s for s in secrets if s in written] == []


def test_a_transcript_the_sanitiser_cannot_read_is_withheld(tmp_path: Path) -> None:
    def broken(text: str) -> str:
        raise RuntimeError("unreadable")

    sink = RedactedSessionLog(tmp_path / "fw1.log", broken, ())
    sink.write(b"set deviceconfig system phash $1$abc$def\n")
    sink.close()
    assert (tmp_path / "fw1.log").read_text(encoding="utf-8") == WITHHELD
