"""The FortiOS install (`tasks.platforms.fortinet.upgrade`) through the real `DeviceSession`, on a scripted FortiGate.

What the fake unit prints is the research notes' (shared/reference/research/upgrade-backup-cli.md B.2): the
`(y/n)` question, the transfer and integrity lines, `The system is going down NOW !!`; the failures `Transfer
timed out`, `Check image error.` / `Command fail. File is not an update file.`. Its `get system status` are real
FortiGates' (tests/fixtures/fortinet/get_system_status): a 91G without VDOMs and a multi-VDOM 501E.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tasks.errors import StepFailed
from tasks.models.upgrade import ImageServer, StepKind
from tasks.platforms import get_platform
from tasks.platforms.base import SESSION_DROPPED, UpgradeDriver
from tasks.platforms.fortinet.upgrade import judge_restore, not_ready, perform
from tasks.upgrade.session import Bounds, Clock, DeviceSession

STATUS = Path(__file__).resolve().parents[1] / "fixtures" / "fortinet" / "get_system_status"
SINGLE = (STATUS / "oxidized_FortiGate-91G_7.4.7.txt").read_text(encoding="utf-8")
MULTI_VDOM = (STATUS / "oxidized_FortiGate-501E_vdomHAdown.txt").read_text(encoding="utf-8")
QUESTION = "This operation will replace the current firmware version!\nDo you want to continue? (y/n)"
FEATURE = "Image file uploaded is marked as a Feature image, are you sure you want to upgrade? (y/n)"
TAKEN = [
    "Please wait...\n\nConnect to tftp server 192.0.2.10 ...\n",
    "#################################\n",
    "Get image from tftp server OK.\nVerifying the signature of the firmware image.\n",
    "Checking new firmware integrity ... pass\n\nPlease wait for system to restart.\n\n",
    "Firmware upgrade in progress ...\nDone.\n\nThe system is going down NOW !!\n",
]
TIMED_OUT = [
    "Please wait...\n\nConnect to tftp server 192.0.2.10 ...\n",
    "Transfer timed out.\nCommand fail. Return code -1\n",
]
SERVER = ImageServer("192.0.2.10")
PARSE_ERROR = "command parse error before 'global'\nCommand fail. Return code -61\n"


class FakeFortiGate:
    """What DeviceSession talks to (netmiko's calls): `send_command` answers status, `config global` and `end`;
    `write_channel` the restore and each `y` (their answers read first); `read_channel` then hands out `later`,
    one piece per read."""

    def __init__(self, status: str, later: list[str], questions: tuple[str, ...] = (QUESTION,), drop: bool = False):
        self.status = status
        self.later = list(later)
        self.questions = list(questions)
        self.drop = drop  # the unit closes the session once `later` is out, as a going-down unit does
        self.sent: list[str] = []
        self.replies: list[str] = []  # what the unit answers to what was written, read before `later`
        self.context = ""
        self.remote_conn = SimpleNamespace(closed=False, get_transport=lambda: SimpleNamespace(is_active=lambda: True))

    def send_command(self, command: str, auto_find_prompt: bool = True) -> str:
        self.sent.append(command)
        if command == "get system status":
            return self.status
        if command == "config global":
            if "multiple" not in self.status:
                return PARSE_ERROR
            self.context = "global"
            return ""
        if command == "end":
            self.context = ""
            return ""
        raise AssertionError(f"unexpected {command!r}")

    RETURN = "\n"

    def write_channel(self, text: str) -> None:
        command = text.rstrip("\n")
        self.sent.append(command)
        if command.startswith("execute restore image"):
            wanted = "global" if "multiple" in self.status else ""
            if self.context != wanted:
                self.replies.append(f"{command}\n{PARSE_ERROR}")
                return
            self.replies.append(f"{command}\n{self.questions.pop(0)}")
            return
        assert command == "y", command
        self.replies.append(f"y\n{self.questions.pop(0)}" if self.questions else "y\n")

    def read_channel(self) -> str:
        if self.replies:
            return self.replies.pop(0)
        text = self.later.pop(0) if self.later else ""
        if self.drop and not self.later:
            self.remote_conn.closed = True
        return text

    def set_base_prompt(self) -> str:
        return "fw #"


class FakeClock(Clock):
    def __init__(self) -> None:
        self.t = 0.0
        super().__init__(now=lambda: self.t, sleep=self._sleep)

    def _sleep(self, seconds: float) -> None:
        self.t += seconds


def session(unit: FakeFortiGate, server: ImageServer | None = SERVER, job_timeout_s: float = 60) -> DeviceSession:
    platform = get_platform("fortinet")
    assert isinstance(platform.upgrade, UpgradeDriver)
    host: Any = SimpleNamespace(
        name="acme-fra1-fw01",
        data={"customer": "acme"},
        connections={},
        get_connection=lambda name, config: unit,
    )
    task: Any = SimpleNamespace(host=host, nornir=SimpleNamespace(config=None))
    bounds = Bounds(poll_s=1.0, job_timeout_s=job_timeout_s, reboot_timeout_s=60)
    device = DeviceSession(task, platform, platform.upgrade, bounds, FakeClock(), server)
    device.outputs = {"facts": unit.status}
    device.facts = platform.parse_facts(device.outputs, "")
    return device


def restores(unit: FakeFortiGate) -> list[str]:
    return [c for c in unit.sent if c.startswith("execute restore image")]


def test_a_single_vdom_unit_is_sent_the_image_of_its_model_from_the_server_and_every_question_answered() -> None:
    unit = FakeFortiGate(SINGLE, TAKEN, questions=(QUESTION, FEATURE))
    message = perform(StepKind.INSTALL, "7.4.8", session(unit))
    assert restores(unit) == ["execute restore image tftp FGT_91G-v7.4.8-FORTINET.out 192.0.2.10"]
    assert unit.sent.count("y") == 2 and "config global" not in unit.sent
    assert message == "image fetched, checked and written: The system is going down NOW !!"
    assert unit.later == []  # read on until the unit said it goes down


def test_a_multi_vdom_unit_is_sent_it_inside_config_global() -> None:
    unit = FakeFortiGate(MULTI_VDOM, TAKEN)
    perform(StepKind.INSTALL, "7.4.8", session(unit))
    assert unit.sent[:3] == ["config global", "execute restore image tftp FGT_501E-v7.4.8-FORTINET.out 192.0.2.10", "y"]


def test_the_file_pattern_and_the_customer_server_of_the_setting_are_used() -> None:
    unit = FakeFortiGate(SINGLE, TAKEN)
    perform(StepKind.INSTALL, "7.4.8", session(unit, ImageServer("198.51.100.7", file="fos/{version}/{model}.out")))
    assert restores(unit) == ["execute restore image tftp fos/7.4.8/91G.out 198.51.100.7"]


@pytest.mark.parametrize(
    ("later", "says"),
    [
        (TIMED_OUT, "Transfer timed out. / Command fail. Return code -1"),
        (
            ["Get image from tftp server OK.\nCheck image error.\nCommand fail. File is not an update file.\n"],
            "Check image error. / Command fail. File is not an update file.",
        ),
        (["Connect to tftp server 192.0.2.10 ...\nFile not found.\n"], "File not found."),
    ],
)
def test_a_failed_transfer_or_image_fails_the_step_naming_what_the_unit_said(later: list[str], says: str) -> None:
    unit = FakeFortiGate(SINGLE, later)
    with pytest.raises(StepFailed) as info:
        perform(StepKind.INSTALL, "7.4.8", session(unit))
    assert str(info.value).endswith(f": {says}")
    assert "execute restore image tftp FGT_91G-v7.4.8-FORTINET.out 192.0.2.10" in str(info.value)


def test_the_unit_dropping_the_session_before_it_says_more_counts_as_going_down() -> None:
    unit = FakeFortiGate(SINGLE, ["Please wait...\n", "####\n"], drop=True)
    assert perform(StepKind.INSTALL, "7.4.8", session(unit)).startswith("image sent; the unit closed the session")


def test_a_transfer_that_never_ends_fails_when_the_job_bound_runs_out() -> None:
    unit = FakeFortiGate(SINGLE, ["Please wait...\n"] + ["#\n"] * 100)
    device = session(unit, job_timeout_s=5)
    with pytest.raises(StepFailed) as info:
        perform(StepKind.INSTALL, "7.4.8", device)
    assert "no end seen" in str(info.value)
    assert 5 <= device.clock.now() <= 6  # bounded by job_timeout_s, read every poll_s


def test_without_an_image_server_the_install_fails_naming_the_setting_and_sends_nothing() -> None:
    unit = FakeFortiGate(SINGLE, TAKEN)
    with pytest.raises(StepFailed) as info:
        perform(StepKind.INSTALL, "7.4.8", session(unit, server=None))
    assert str(info.value) == (
        "no image server: set upgrade.image_server in config.yaml (or upgrade.image_servers.acme)"
    )
    assert unit.sent == []


def test_ready_once_get_system_status_answers() -> None:
    unit = FakeFortiGate(SINGLE, [])
    device = session(unit)
    assert not_ready(device) is None
    for booting in ("Command fail. Return code -1\n", "Hostname: fw1\n"):  # refused, or no Version line yet
        unit.status = booting
        assert not_ready(device) == "get system status not answered yet"


def test_judging_the_answer() -> None:
    assert judge_restore("c", SESSION_DROPPED).startswith("image sent")
    with pytest.raises(StepFailed, match="no end seen"):
        judge_restore("c", "Please wait...\nConnect to tftp server 192.0.2.10 ...\n")
    with pytest.raises(StepFailed, match="Unknown action 0"):
        judge_restore("c", "Unknown action 0\n")
