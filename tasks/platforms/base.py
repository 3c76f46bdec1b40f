"""What a platform is: one `Platform` object per netmiko device_type, carrying everything platform-specific.

Shared code (checks, collect, workflows, reports) asks the host's `Platform` for commands, parsers, its
version scheme and its capabilities, and names no platform itself. A capability a platform lacks is an
explicit `Unsupported(reason)`, and the reason is what the user sees (a SKIPPED row), never a `hasattr` probe.

Everything here is pure: data and functions from command outputs to typed models (no netmiko, no Nornir).
The upgrade driver's functions talk to a device only through the `UpgradeSession` they are given.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from tasks.errors import ParseError
from tasks.models import Facts, Transceiver, Unsupported
from tasks.models.readiness import NotReported, ReadinessState
from tasks.models.snapshot import Snapshot
from tasks.models.upgrade import ImageSource, StepKind
from tasks.versions import Version

Outputs = Mapping[str, str]  # {purpose or follow-up key: the command's output}
# What `UpgradeSession.confirm` returns when the device closed the session while answering (a restart does).
SESSION_DROPPED = "session dropped"


@dataclass(frozen=True)
class Context:
    """A CLI context some commands must be sent in, and how the session enters and leaves it.

    FortiOS in multi-VDOM mode answers its global commands only inside `config global` (prompt
    `fw (global) # `): `Context("global", enter=("config global",), leave=("end",))`. An entering command
    whose output contains one of `failed_when` (scrapli's "failed when contains") means the context is closed
    to this session, and the commands meant for it are not sent.
    """

    name: str
    enter: tuple[str, ...]
    leave: tuple[str, ...]
    failed_when: tuple[str, ...] = ()


def _no_contexts(outputs: Outputs) -> Mapping[str, Context]:
    return {}


def _no_variants(outputs: Outputs) -> Mapping[str, str]:
    return {}


@dataclass(frozen=True)
class Readiness:
    """Pre-upgrade readiness: the purposes to send, and how to read their outputs into a `ReadinessState`.

    `read(outputs, facts)` gets the purposes of `commands` that were read (and the facts already parsed): a
    purpose missing or unreadable makes only its own field `NotReported` (see `reading`), never the whole
    state. `needs` maps a readiness check's name to the purposes it reads, so a run sends only the commands
    of the checks it runs; a check it does not list needs every purpose of `commands`. The checks in
    `tasks.checks.readiness` then judge the state without knowing the platform.
    """

    commands: tuple[str, ...]
    read: Callable[[Outputs, Facts], ReadinessState]
    needs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def commands_for(self, checks: tuple[str, ...] | list[str]) -> tuple[str, ...]:
        """The purposes of `commands` the `checks` read, in `commands` order.

        >>> r = Readiness(("facts", "ntp", "jobs"), lambda o, f: ReadinessState(), {"ntp_sync": ("ntp",)})
        >>> r.commands_for(["ntp_sync"]), r.commands_for(["running_jobs"])
        (('ntp',), ('facts', 'ntp', 'jobs'))
        """
        wanted = {p for check in checks for p in self.needs.get(check, self.commands)}
        return tuple(p for p in self.commands if p in wanted)


@dataclass(frozen=True)
class Snapshotting:
    """The pre-upgrade state snapshot: the purposes to send and how to read them into a typed `Snapshot`."""

    commands: tuple[str, ...]
    read: Callable[[Outputs, Facts, list[Transceiver]], Snapshot]


@dataclass(frozen=True)
class StepCommand:
    """One command of an upgrade step, as data: `command` may hold `{version}` (the image's release),
    `{protocol}`, `{image}` and `{server}` (where the image comes from: `UpgradeSession.image_source`); `expect`
    says what ends the step (the answer polled for, the prompts answered), as the Upgrade sheet shows it."""

    command: str
    expect: str = ""


class UpgradeSession(Protocol):
    """What an upgrade driver's functions may do with the device (`tasks.upgrade.session` implements it)."""

    def send(self, command: str) -> str:
        """The output of `command`; CommandError when the session fails, CommandRefused when the OS refuses it."""
        ...

    def confirm(self, command: str, until: tuple[str, ...] = ()) -> str:
        """Send `command` and answer each `(y/n)` / `(y or n)` question with y; the output, until the device
        is quiet or drops the session (as a restart does: then `SESSION_DROPPED`). The prompt is read again
        after it: send commands that may change the prompt (an HA state shown in it) this way.

        `until`: keep reading (within the job bound) until the output holds one of these texts or the device
        drops the session; for a command that works long after its questions (an image transfer). The prompt
        is then not read again."""
        ...

    def poll(self, what: str, probe: Callable[[], str | None]) -> str:
        """Call `probe` every poll interval until it returns text (that text), within the job bound;
        StepFailed naming `what` when the bound runs out."""
        ...

    def context(self, purpose: str) -> Context | None:
        """The context `purpose` is sent in on this device (given its facts), or None."""
        ...

    def sent_in(self, context: Context | None, command: str, confirm: bool = False, until: tuple[str, ...] = ()) -> str:
        """`send` (or `confirm`, with `until`) inside `context`."""
        ...

    def image_source(self, version: str) -> ImageSource:
        """Where this device fetches the image of `version` from: its customer's image server (config.yaml
        `upgrade.image_server`, `upgrade.image_servers`), the file named for its model (`UpgradeDriver.image_file`,
        `image_model`). StepFailed naming the setting when none is configured."""
        ...

    def job_mark(self, newest: int) -> None:
        """The device's newest job id before the step being performed asks it for a job: journalled before the
        request, so a run interrupted before that job ends finds it on `--resume` (the job of the step's type
        with a higher id) and polls it instead of asking the device for it again."""
        ...

    def earlier_job_mark(self) -> int | None:
        """The `job_mark` an interrupted run journalled for the step being performed, or None."""
        ...


@dataclass(frozen=True)
class Backup:
    """The configuration backup: the purpose (in `commands`) whose output is the running configuration, and how
    the lines that change without a configuration change (timestamps, counters, re-encrypted values) are
    taken out of the sanitised text, so that an unchanged device makes no commit."""

    command: str
    strip_volatile: Callable[[str], str]


def drop_lines(text: str, patterns: tuple[re.Pattern[str], ...]) -> str:
    """`text` without the lines any of `patterns` matches (`search`), and without blank lines at its ends.

    >>> drop_lines("!Time: Mon Dec  1 14:37:04 2025\\n\\nhostname sw1\\n", (re.compile(r"^!Time:"),))
    'hostname sw1'
    """
    lines = [line for line in text.split("\n") if not any(p.search(line) for p in patterns)]
    return "\n".join(lines).strip("\n")


# (step kind, the release it is about, the session) -> what happened, one line; StepFailed when it did not.
Perform = Callable[[StepKind, str, UpgradeSession], str]


def _nothing_to_wait_for(session: UpgradeSession) -> str | None:
    return None


def _same_model(model: str) -> str:
    return model


@dataclass(frozen=True)
class UpgradeDriver:
    """How a platform performs each upgrade step: the commands per `StepKind`, in sending order.

    A kind the platform does not have is absent (FortiOS: no separate download, reboot or delete; its
    `execute restore image` fetches, writes and reboots, so `install_reboots` is set and the known-issue
    re-check comes before the install). `DOWNLOAD_BASE`, `DOWNLOAD` and `DELETE` commands are sent once per
    image of the hop; the others once per hop with the hop's target release. The executing code is shared.
    """

    steps: Mapping[StepKind, tuple[StepCommand, ...]]
    install_reboots: bool = False
    note: str = ""  # shown with the install step (e.g. FortiOS: multi-VDOM units through `config global`)
    # Performs the platform's own kinds (downloads, install, reboot, delete, HA suspend/functional); the shared
    # runner performs the re-check, the wait and the verify. None: this driver only shows its steps.
    perform: Perform | None = None
    # After a boot, once the device answers again: what it is still busy with (e.g. "chassis not ready"), or
    # None when it is ready for the verify step. Polled by the runner within its bound.
    not_ready: Callable[[UpgradeSession], str | None] = _nothing_to_wait_for
    # A platform whose devices fetch their image from a server of yours (`UpgradeSession.image_source`): the
    # file name of an image with {model} and {version} (config.yaml `upgrade.image_server.file` overrides it),
    # and the model as that name spells it, from the model its facts name.
    image_file: str = ""
    image_model: Callable[[str], str] = _same_model


@dataclass(frozen=True)
class ConfigForm:
    """How compliance reads the running configuration: the command, and its text in the platform's line form.

    `lines(text)` turns the (sanitised) output of `command` into one line per configuration statement, each
    line carrying its context, so that a rule's regex can anchor on it: PAN-OS and Junos `set` lines, FortiOS
    `config system ntp > config ntpserver > edit 1 > set server "x"`, IOS-style `line vty 0 4 > transport input
    ssh` (`PARENT_SEPARATOR`). `note` says how the form is made (docs/compliance.md).
    """

    command: str
    lines: Callable[[str], list[str]]
    note: str = ""


PARENT_SEPARATOR = " > "  # between a statement's parents and the statement in a line form


C = TypeVar("C")
T = TypeVar("T")


def reading(outputs: Outputs, purpose: str, command: str, parse: Callable[[str], T]) -> T | NotReported:
    """`parse` of the output of `purpose`, or `NotReported` saying why not: the command was not read (it
    failed, or was not sent for the checks selected) or its output was not what the OS prints.

    A readiness state is read field by field with it, so one bad output leaves the others judged.

    >>> reading({}, "ntp", "show ntp", len).reason
    "'show ntp' was not read"
    >>> reading({"ntp": "abc"}, "ntp", "show ntp", len)
    3
    """
    if purpose not in outputs:
        return NotReported(f"{command!r} was not read")
    try:
        return parse(outputs[purpose])
    except ParseError as exc:
        return NotReported(str(exc))


def first_line_of(exc: BaseException) -> str:
    """The first line of an exception's message, else its type's name."""
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def rejection(output: str, markers: tuple[str, ...]) -> str | None:
    """The line of `output` in which the OS rejects the command, or None.

    A line is a rejection when, stripped, it starts with one of the platform's `error_markers` (scrapli's
    "failed when contains", anchored to the start of a line so a configuration line never matches).

    >>> rejection("show idprom interface Te1/1/1\\n      ^\\n% Invalid input detected at '^' marker.\\n",
    ...           ("% Invalid input",))
    "% Invalid input detected at '^' marker."
    >>> rejection("  set authorization enable", ("Command fail",)) is None
    True
    """
    for line in output.splitlines():
        stripped = line.strip()
        if stripped and stripped.startswith(markers):
            return stripped
    return None


def read_what_parses(read: Callable[[Outputs], C], base: Outputs, extra: Outputs) -> tuple[C, dict[str, str]]:
    """`read` of `base` and the `extra` outputs, leaving out each extra output that makes it fail.

    `base` holds what must be read (a ParseError there propagates); `extra` the supplementary outputs, which
    `read` must do without. Returns the result and {left-out key: the ParseError's message}.

    >>> def total(outputs):
    ...     if not all(v.isdigit() for v in outputs.values()):
    ...         raise ParseError("not a number")
    ...     return sum(int(v) for v in outputs.values())
    >>> read_what_parses(total, {"a": "1"}, {"b": "2", "c": "x"})
    (3, {'c': 'not a number'})
    """
    try:
        return read({**base, **extra}), {}
    except ParseError as first:
        bad: dict[str, str] = {}
        for key, text in extra.items():
            try:
                read({**base, key: text})
            except ParseError as exc:
                bad[key] = first_line_of(exc)
        if not bad:
            raise first
        return read({**base, **{k: v for k, v in extra.items() if k not in bad}}), bad


def available(value: C | Unsupported) -> C | None:
    """The capability, or None when the platform lacks it (its reason is `value.reason`).

    >>> available(Unsupported("no job queue")) is None, available(3)
    (True, 3)
    """
    return None if isinstance(value, Unsupported) else value


# The defaults of the optional capabilities; a platform's own object says "... for <its OS> yet" instead.
_NO_READINESS = Unsupported("no readiness checks for this OS yet")
_NO_SNAPSHOT = Unsupported("no state snapshot for this OS yet")
_NO_SANITISER = Unsupported("no configuration sanitiser for this OS yet")
_NO_UPGRADE = Unsupported("upgrade not supported for this OS yet")
_NO_BACKUP = Unsupported("no configuration backup for this OS yet")
_NO_COMPLIANCE = Unsupported("no configuration line form for compliance rules for this OS yet")
_DEFAULTS = {
    "readiness": _NO_READINESS,
    "snapshot": _NO_SNAPSHOT,
    "sanitise_config": _NO_SANITISER,
    "upgrade": _NO_UPGRADE,
    "backup": _NO_BACKUP,
    "compliance": _NO_COMPLIANCE,
}


@dataclass(frozen=True)
class Platform:
    """One netmiko device_type and everything estate knows of it.

    Required: how to read facts and optics (every platform is audited). Optional capabilities are either
    the capability or `Unsupported(reason)`.
    """

    device_type: str  # netmiko's name, e.g. "cisco_nxos"
    os_name: str  # the OS as engineers write it, e.g. "NX-OS" (run summaries, reasons)
    vendor: str  # whose supported list an optic is judged against, e.g. "Cisco" ("not on Cisco's supported list")
    commands: Mapping[str, str]  # purpose -> the CLI command exactly as sent (ntc-templates matches on it)
    facts_commands: tuple[str, ...]  # purposes `parse_facts` reads, in sending order
    transceiver_commands: tuple[str, ...]  # purposes `parse_transceivers` reads
    parse_facts: Callable[[Outputs, str], Facts]  # (outputs, prompt) -> Facts; ParseError on foreign output
    parse_transceivers: Callable[[Outputs], list[Transceiver]]
    parse_version: Callable[[str], Version]  # the OS's version scheme (ValueError naming a bad version)
    # {key: command} to send once the first transceiver outputs are known (IOS `show idprom interface X`).
    transceiver_followups: Callable[[Outputs], dict[str, str]] = field(default=lambda outputs: {})
    readiness: Readiness | Unsupported = _NO_READINESS
    snapshot: Snapshotting | Unsupported = _NO_SNAPSHOT
    sanitise_config: Callable[[str], str] | Unsupported = _NO_SANITISER
    # How the upgrade run walks a hop on this OS (commands per step, as data); `estate upgrade` skips its devices
    # with the reason when Unsupported.
    upgrade: UpgradeDriver | Unsupported = _NO_UPGRADE
    # `estate backup`: the command that prints the running configuration and the OS's volatile lines; the
    # configuration is stored only once `sanitise_config` has removed its secrets.
    backup: Backup | Unsupported = _NO_BACKUP
    # How `estate compliance` reads the configuration and puts it in the line form its rules match.
    compliance: ConfigForm | Unsupported = _NO_COMPLIANCE
    # The netmiko driver to open sessions with, when it is not `device_type` itself (a platform estate knows
    # under its own name, served by one of netmiko's drivers).
    netmiko_device_type: str | None = None
    # Other names the same OS goes by where customers write it down (a spreadsheet's platform column), e.g.
    # netmiko's `cisco_xe` for IOS-XE; `tasks.onboard.source` reads them as this device_type.
    aliases: tuple[str, ...] = ()
    # How the OS says it will not run a command (unknown, not permitted, incomplete): the start of a line of
    # its answer, like scrapli's "failed when contains". A supplementary command so answered is unknown
    # (a WARN finding); an essential one (facts, optics) fails the device. See `rejection`.
    error_markers: tuple[str, ...] = ()
    # What the device has answered so far ({purpose: output}, facts first) -> {purpose: the context it must be
    # sent in}; a purpose not named is sent where the session is (FortiOS multi-VDOM: `config global`).
    contexts: Callable[[Outputs], Mapping[str, Context]] = _no_contexts
    # The same -> {purpose: the command sent instead of `commands[purpose]`} on a device whose answers call for
    # another command (PAN-OS with the Advanced Routing Engine on: `show advanced-routing route`).
    command_variants: Callable[[Outputs], Mapping[str, str]] = _no_variants
    # How a logged-in session is prepared (paging off, terminal width, base prompt), when not by the netmiko
    # driver's `session_preparation()`: (the netmiko connection) -> None. It starts right after the login, with
    # nothing sent yet (the driver's preparation follows the Enter netmiko presses first).
    prepare_session: Callable[[Any], None] | None = None
    # What undoes, before the session's `exit`, a change the session preparation made on the device itself
    # (FortiOS: netmiko sets the console's output mode, a setting of the unit, to `standard`): (the netmiko
    # connection, whether the session still answers) -> what could not be set back (a run.log WARNING) or None.
    end_session: Callable[[Any, bool], str | None] | None = None

    def __post_init__(self) -> None:
        for name, default in _DEFAULTS.items():
            if getattr(self, name) is default:  # not given: name the OS in the reason the user reads
                object.__setattr__(self, name, Unsupported(default.reason.replace("this OS", self.os_name)))

    @property
    def driver(self) -> str:
        """The netmiko device_type sessions are opened with: `netmiko_device_type`, else `device_type`."""
        return self.netmiko_device_type or self.device_type

    def command(self, purpose: str, answered: Outputs | None = None) -> str:
        """The command sent for `purpose`; KeyError naming the platform and purpose when it has none.

        `answered` ({purpose: output} of what the device said so far) picks a variant the device calls for.
        """
        variant = self.command_variants(answered).get(purpose) if answered else None
        if variant:
            return variant
        try:
            return self.commands[purpose]
        except KeyError:
            raise KeyError(f"{self.device_type} has no command for {purpose!r}") from None

    def context(self, purpose: str, answered: Outputs) -> Context | None:
        """The context `purpose` must be sent in on this device (given what it answered), or None."""
        return self.contexts(answered).get(purpose) if answered else None
