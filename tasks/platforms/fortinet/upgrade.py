"""FortiOS upgrade steps as data, and how the install is performed: `execute restore image` fetches the image,
writes it and reboots.

From the research notes (upgrade-backup-cli.md B.1-B.3): `execute restore image tftp <file> <server>` asks
`Do you want to continue? (y/n)` (a Feature image, or an HA cluster, may ask again: every question is answered
`y`); it then prints the transfer, `Get image from tftp server OK.`, `Checking new firmware integrity ... pass`
and `The system is going down NOW !!`, and over SSH the session closes. `Command fail`, `Transfer timed out`,
`File not found` and `Check image error` are its failures. On multi-VDOM units the command runs in
`config global` (Fortinet's own test harness sends `config global` first). After the reboot
`get system status` names the running release.

The image comes from the device's customer's image server (config.yaml `upgrade.image_server`,
`upgrade.image_servers`); its default file name is `FGT_{model}-v{version}-FORTINET.out`, `{model}` being the
model `get system status` names without `FortiGate-` (`60F`). Fortinet's own image names also carry the
maturity and build (`FGT_60F-v7.4.8.M-build2795-FORTINET.out`), which estate does not know before the
upgrade: name the files on the server so, or set `file` [the naming is estate's convention].
"""

from __future__ import annotations

from tasks.errors import CommandRefused, ParseError, StepFailed
from tasks.models.upgrade import StepKind
from tasks.platforms.base import SESSION_DROPPED, StepCommand, UpgradeDriver, UpgradeSession
from tasks.platforms.fortinet.commands import COMMANDS
from tasks.platforms.fortinet.facts import parse_system_status

INSTALL = "execute restore image {protocol} {image} {server}"
IMAGE_FILE = "FGT_{model}-v{version}-FORTINET.out"
MODEL_PREFIX = "FortiGate-"  # `get system status`: `Version: FortiGate-60F v7.4.8,...`
# The answers that end the install badly (research notes B.2; `Return code -1` and the like follow them).
FAILURES: tuple[str, ...] = ("Command fail", "Transfer timed out", "Check image error", "File not found")
GOING_DOWN = "going down"  # `The system is going down NOW !!`
# What ends the wait for the install's answer (the session dropping ends it too).
ENDS: tuple[str, ...] = (GOING_DOWN, *FAILURES, "command parse error", "Unknown action")


def image_model(model: str) -> str:
    """The model as FortiOS image names spell it.

    >>> image_model("FortiGate-60F"), image_model("FortiGate-VM64-KVM"), image_model("60F")
    ('60F', 'VM64-KVM', '60F')
    """
    return model.removeprefix(MODEL_PREFIX)


def judge_restore(command: str, answer: str) -> str:
    """What the answer to `execute restore image` says: one line when the unit took the image and is going down;
    StepFailed naming the failure lines (or the last line, when the answer ended neither way).

    >>> judge_restore("x", "Get image from tftp server OK.\\nThe system is going down NOW !!\\n")
    'image fetched, checked and written: The system is going down NOW !!'
    >>> judge_restore("x", "Transfer timed out.\\nCommand fail. Return code -1\\n")
    Traceback (most recent call last):
    ...
    tasks.errors.StepFailed: 'x': Transfer timed out. / Command fail. Return code -1
    """
    lines = [line.strip() for line in answer.splitlines() if line.strip()]
    failed = [line for line in lines if any(text in line for text in ENDS[1:])]
    if failed:
        raise StepFailed(f"{command!r}: {' / '.join(failed)}")
    if answer == SESSION_DROPPED:
        return "image sent; the unit closed the session (going down to boot it)"
    down = next((line for line in lines if GOING_DOWN in line), None)
    if down is not None:
        return f"image fetched, checked and written: {down}"
    last = lines[-1] if lines else "no answer"
    raise StepFailed(f"{command!r}: no end seen (neither going down nor a failure): {last}")


def _install(session: UpgradeSession, version: str) -> str:
    source = session.image_source(version)
    command = INSTALL.format(protocol=source.protocol, image=source.file, server=source.server)
    try:
        answer = session.sent_in(session.context("upgrade"), command, confirm=True, until=ENDS)
    except CommandRefused as exc:
        answer = exc.output
    return judge_restore(command, answer)


def perform(kind: StepKind, version: str, session: UpgradeSession) -> str:
    """Take one FortiOS step for `version` (the install; the rest are shared); StepFailed when it fails."""
    if kind is not StepKind.INSTALL:
        raise StepFailed(f"FortiOS has no separate {kind.value} step")
    return _install(session, version)


def not_ready(session: UpgradeSession) -> str | None:
    """After the boot: None once `get system status` answers with a Version line, else what is pending.

    A FortiGate that accepts a login again answers `get system status` at once; that some daemons may still be
    starting then is not visible in it, and HA resynchronisation is not waited for [unverified: no timing of a
    real boot was found in the notes].
    """
    try:
        parse_system_status(session.send(COMMANDS["facts"]))
    except (CommandRefused, ParseError):
        return "get system status not answered yet"
    return None


DRIVER = UpgradeDriver(
    steps={
        StepKind.RECHECK: (StepCommand(COMMANDS["transceivers"], "no known issue of {version} applies to the optics"),),
        StepKind.INSTALL: (
            StepCommand(
                INSTALL,
                "answer every (y/n) with y; image fetched, checked and written; the unit goes down to boot it",
            ),
        ),
        StepKind.WAIT: (StepCommand(COMMANDS["facts"], "gone away, then answers again (bounded, with backoff)"),),
        StepKind.VERIFY: (StepCommand(COMMANDS["facts"], "Version: v{version}"),),
    },
    install_reboots=True,
    note="multi-VDOM units: sent in config global",
    perform=perform,
    not_ready=not_ready,
    image_file=IMAGE_FILE,
    image_model=image_model,
)
