"""What a personality (one simulated OS) provides to the lab: a validator for its devices and a shell."""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from lab.estate import Device
    from lab.runtime import DeviceRuntime


@dataclass(frozen=True)
class Reply:
    """What a shell answers to one line: the text (without prompt), and what the session does next.

    ``setup`` marks the lines a client's own session preparation sends (faults spare them);
    ``close`` ends the session after the text is written.
    """

    text: str = ""
    close: bool = False
    setup: bool = False
    prompt: bool = True  # False: the text ends in a question, the device waits for the answer without a prompt


class DeviceView:
    """Everything a shell may read about the device it simulates.

    In a running lab ``runtime`` (lab.runtime.DeviceRuntime) holds what changes while it runs (version, images,
    jobs, optics, HA state): ``device`` and ``peer`` are then the estate's devices as they are now.
    """

    def __init__(
        self,
        device: Device,
        peer: Device | None,
        username: str,
        started_at: float,
        runtime: DeviceRuntime | None = None,
        peer_runtime: DeviceRuntime | None = None,
    ) -> None:
        self._device = device
        self._peer = peer
        self.username = username
        self.started_at = started_at
        self.runtime = runtime
        self.peer_runtime = peer_runtime

    @property
    def device(self) -> Device:
        return self.runtime.current() if self.runtime is not None else self._device

    @property
    def peer(self) -> Device | None:
        return self.peer_runtime.current() if self.peer_runtime is not None else self._peer

    @property
    def link_down(self) -> frozenset[str]:
        """Ports whose link is down (``lab ctl link-down``, or a pulled optic)."""
        return self.runtime.link_down_ports() if self.runtime is not None else frozenset()


class Shell(Protocol):
    """One interactive CLI session of a simulated device."""

    def banner(self) -> str:
        """Text written straight after login, before the first prompt."""

    def prompt(self) -> str:
        """The prompt, as written on the wire (no line ending)."""

    def handle(self, line: str) -> Reply:
        """Answer one non-blank input line."""

    def refuse(self, line: str) -> str:
        """What the OS prints when this account may not run `line` (the estate file's `refuse_commands`):
        its error for a command it does not offer, as a real device answers a command outside a role."""


@dataclass(frozen=True)
class Personality:
    """One platform: its models, the optics it knows and a factory for shells.

    ``validate_device`` returns ``(field path relative to the device, message)`` pairs: the model, the optics,
    the version forms (``version``, ``state.peer_version``, ``state.images[i]``) and the values of the
    ``state:`` keys the platform reads. ``state_keys`` names those keys (lab.estate.STATE_KEYS); the estate
    loader refuses any other under a device of this platform.
    """

    platform: str
    validate_device: Callable[[Device], list[tuple[str, str]]]
    new_shell: Callable[[DeviceView], Shell]
    state_keys: frozenset[str] = frozenset()
    models: Sequence[str] = field(default_factory=tuple)
    # The platform-specific device fields it reads (lab.estate.PLATFORM_FIELDS, e.g. FortiOS `vdoms`).
    device_fields: frozenset[str] = frozenset()
    # The SSH key-exchange algorithms the real device offers, in its order (each with its source where it is
    # set); empty = asyncssh's defaults.
    kex_algs: Sequence[str] = field(default_factory=tuple)
    # SSH key-exchange algorithms to offer on top of those (e.g. FortiOS clients insist on
    # `diffie-hellman-group14-sha1`).
    extra_kex_algs: Sequence[str] = field(default_factory=tuple)


# --- a tiny, data-driven command matcher shared by personalities -------------------------------------------

Handler = Callable[[DeviceView, dict[str, str]], str]


@dataclass(frozen=True)
class Command:
    """One command: its syntax (``word``, ``a|b`` alternatives, ``<name>`` any word) and its handler."""

    syntax: str
    handler: Handler
    setup: bool = False
    close: bool = False

    @property
    def tokens(self) -> list[str]:
        return self.syntax.split()


@dataclass(frozen=True)
class Match:
    """The outcome of matching a line against a command table."""

    command: Command | None
    args: Mapping[str, str]
    error_word: str | None = None


def _token_matches(token: str, word: str) -> bool:
    if token.startswith("<") and token.endswith(">"):
        return True
    return word in token.split("|")


def _depth(tokens: list[str], words: list[str]) -> int:
    """How many leading words match the tokens."""
    depth = 0
    for token, word in zip(tokens, words, strict=False):
        if not _token_matches(token, word):
            break
        depth += 1
    return depth


def match_command(table: Sequence[Command], line: str) -> Match:
    """Find the command for ``line``; else tell which word was unknown (None when the syntax is bad).

    >>> t = [Command("show system info", lambda v, a: "")]
    >>> match_command(t, "show  system info").command is t[0]
    True
    >>> match_command(t, "show version").error_word
    'version'
    >>> match_command(t, "show system").error_word is None
    True
    """
    words = line.split()
    best_depth, best_tokens = 0, [""]
    for command in table:
        tokens = command.tokens
        depth = _depth(tokens, words)
        if depth == len(tokens) == len(words):
            return Match(command, _arguments(tokens, words))
        if depth > best_depth:
            best_depth, best_tokens = depth, tokens
    if best_depth < min(len(words), len(best_tokens)) and _is_literal(best_tokens[best_depth]):
        return Match(None, {}, error_word=words[best_depth])
    return Match(None, {})


def _is_literal(token: str) -> bool:
    return not token.startswith("<")


def _arguments(tokens: list[str], words: list[str]) -> dict[str, str]:
    return {t.strip("<>"): w for t, w in zip(tokens, words, strict=True) if t.startswith("<")}


def word_start(line: str, index: int) -> int:
    """The column where word ``index`` of ``line`` starts (its last word's when there are fewer).

    >>> word_start("show  idprom interface Te1/1", 1), word_start("show", 3)
    (6, 0)
    """
    starts = [m.start() for m in re.finditer(r"\S+", line)]
    return starts[min(index, len(starts) - 1)] if starts else 0


def refuses(commands: Collection[str], line: str) -> bool:
    """Whether ``line`` is one of ``commands`` (words compared, ``*`` at the end matching any rest).

    >>> refuses(["show idprom interface *"], "show idprom  interface Te1/1/1"), refuses(["show ntp"], "show ntp x")
    (True, False)
    """
    words = line.split()
    for command in commands:
        wanted = command.split()
        if wanted[-1:] == ["*"] and words[: len(wanted) - 1] == wanted[:-1] and len(words) >= len(wanted):
            return True
        if words == wanted:
            return True
    return False


_SAFE = re.compile(r"[^\x20-\x7e]")


def printable(text: str) -> str:
    """Replace anything outside printable ASCII (what an echo must never reflect raw)."""
    return _SAFE.sub("?", text)


# --- shared by personalities ----------------------------------------------------------------------------------


def nothing(view: DeviceView, args: dict[str, str]) -> str:
    """The handler of commands that print nothing (terminal settings, `enable` at privilege 15)."""
    return ""


def device_rng(device: Device, salt: str) -> random.Random:
    """A random source fixed by the device's name and `salt`: the same device prints the same facts every time.

    >>> from lab.estate import Device
    >>> d = Device("fw1", "paloalto_panos", "PA-850", "10.1.9", "acme", "lon1")
    >>> device_rng(d, "mac").random() == device_rng(d, "mac").random()
    True
    """
    seed = hashlib.sha256(f"{device.name}/{salt}".encode()).digest()
    return random.Random(int.from_bytes(seed[:8], "big"))


def layout_problems(
    device: Device,
    os_name: str,
    ports: Mapping[str, Mapping[str, str]],
    known_types: Collection[str],
    fits: Callable[[str, str], bool],
    port_hint: str = "",
) -> list[tuple[str, str]]:
    """The first problem with a device's model and optics, as (field path, message), or none.

    `ports` maps each model to {port: cage kind}; `fits(cage, optic type)` says whether a cage takes a type;
    `port_hint` is added to an unknown port's message (how the OS names its ports).
    """
    if device.model not in ports:
        return [("model", f"unknown {os_name} model {device.model!r} (known: {', '.join(ports)})")]
    cages = ports[device.model]
    for i, optic in enumerate(device.optics):
        if optic.type not in known_types:
            return [(f"optics[{i}].type", f"unknown optic type {optic.type!r} (known: {', '.join(known_types)})")]
        cage = cages.get(optic.port)
        if cage is None:
            hint = f" ({port_hint})" if port_hint else ""
            return [(f"optics[{i}].port", f"{device.model} has no port {optic.port!r}{hint}")]
        if not fits(cage, optic.type):
            message = f"{optic.port} of {device.model} is a {cage} port and cannot hold a {optic.type} optic"
            return [(f"optics[{i}].port", message)]
    return []
