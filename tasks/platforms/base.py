"""What a platform is: one `Platform` object per netmiko device_type, carrying everything platform-specific.

Shared code (checks, collect, workflows, reports) asks the host's `Platform` for commands, parsers, its
version scheme and its capabilities, and names no platform itself. A capability a platform lacks is an
explicit `Unsupported(reason)`, and the reason is what the user sees (a SKIPPED row), never a `hasattr` probe.

Everything here is pure: data and functions from command outputs to typed models (no netmiko, no Nornir).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from tasks.models import Facts, Transceiver, Unsupported
from tasks.models.readiness import ReadinessState
from tasks.models.snapshot import Snapshot
from tasks.versions import Version

Outputs = Mapping[str, str]  # {purpose or follow-up key: the command's output}


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

    `read(outputs, facts)` gets every purpose of `commands` (and the facts already parsed); the checks in
    `tasks.checks.readiness` then judge the state without knowing the platform.
    """

    commands: tuple[str, ...]
    read: Callable[[Outputs, Facts], ReadinessState]


@dataclass(frozen=True)
class Snapshotting:
    """The pre-upgrade state snapshot: the purposes to send and how to read them into a typed `Snapshot`."""

    commands: tuple[str, ...]
    read: Callable[[Outputs, Facts, list[Transceiver]], Snapshot]


C = TypeVar("C")


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
_DEFAULTS = {"readiness": _NO_READINESS, "snapshot": _NO_SNAPSHOT, "sanitise_config": _NO_SANITISER}


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
    # The netmiko driver to open sessions with, when it is not `device_type` itself (a platform estate knows
    # under its own name, served by one of netmiko's drivers).
    netmiko_device_type: str | None = None
    # What the device has answered so far ({purpose: output}, facts first) -> {purpose: the context it must be
    # sent in}; a purpose not named is sent where the session is (FortiOS multi-VDOM: `config global`).
    contexts: Callable[[Outputs], Mapping[str, Context]] = _no_contexts
    # The same -> {purpose: the command sent instead of `commands[purpose]`} on a device whose answers call for
    # another command (PAN-OS with the Advanced Routing Engine on: `show advanced-routing route`).
    command_variants: Callable[[Outputs], Mapping[str, str]] = _no_variants

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
