"""Nornir tasks that read a device: facts and transceivers, parsed by the host's `Platform`.

Essential commands (the facts and the optics) must be read: their failure fails the host (an ERROR row).
Supplementary commands (the optics' follow-ups, readiness, snapshot) may fail: given a `failures` list, a
task records each as a `CommandFailure` and goes on without its output, so that the device keeps what was
read and the workflow reports the failure as a WARN finding (`tasks.checks.collection`). A command that
times out or loses the session leaves the session untrusted: the supplementary commands after it are not
sent. Without a `failures` list every command is essential.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby
from typing import Any

from nornir.core.task import Result, Task

from tasks.connection import CONNECTION_NAME, in_context, send_command
from tasks.errors import CommandError, CommandRefused
from tasks.models import CommandFailure, FailureKind
from tasks.platforms import get_platform
from tasks.platforms.base import Platform, read_what_parses, rejection


def _connection(task: Task) -> Any:
    return task.host.get_connection(CONNECTION_NAME, task.nornir.config)


def _send_one(connection: Any, platform: Platform, command: str) -> str:
    """The output of `command`; CommandError when the session fails or the OS rejects the command."""
    output = send_command(connection, command)
    refused = rejection(output, platform.error_markers)
    if refused is not None:
        raise CommandRefused(command, refused)
    return output


def _send(
    connection: Any,
    platform: Platform,
    commands: Iterable[tuple[str, str]],
    outputs: dict[str, str],
    failures: list[CommandFailure] | None = None,
) -> dict[str, str]:
    """Send each (key, command) whose key is not in `outputs` yet; `outputs` is shared between tasks.

    Keys the platform wants sent in a context (given what the device answered so far) are sent in it, each
    run of neighbouring keys of one context entered and left once. With `failures` (supplementary commands)
    a failing command is recorded there and left out of `outputs`; after a lost session nothing more is sent.
    """
    done = {f.purpose for f in failures or ()}
    pending = [(key, command, platform.context(key, outputs)) for key, command in commands if key not in outputs]
    for context, group in groupby([item for item in pending if item[0] not in done], key=lambda item: item[2]):
        batch = [(key, command) for key, command, _ in group]
        try:
            with in_context(connection, context):
                for key, command in batch:
                    _send_recorded(connection, platform, key, command, outputs, failures)
        except CommandError as exc:  # the context refused, or the session failed entering or leaving it
            if failures is None:
                raise
            recorded = {f.purpose for f in failures}
            reason = str(exc)
            failures += [
                CommandFailure(key, command, FailureKind.FAILED, reason)
                for key, command in batch
                if key not in outputs and key not in recorded
            ]
    return outputs


def _send_recorded(
    connection: Any,
    platform: Platform,
    key: str,
    command: str,
    outputs: dict[str, str],
    failures: list[CommandFailure] | None,
) -> None:
    """Send one command into `outputs`; a supplementary one (with `failures`) that fails is recorded instead."""
    if failures is None:
        outputs[key] = _send_one(connection, platform, command)
        return
    lost = next((f for f in failures if f.kind is FailureKind.FAILED), None)
    if lost is not None:
        failures.append(CommandFailure(key, command, FailureKind.NOT_SENT, f"after {lost.command!r} failed"))
        return
    try:
        outputs[key] = _send_one(connection, platform, command)
    except CommandRefused as exc:
        failures.append(CommandFailure(key, command, FailureKind.REFUSED, exc.answer))
    except CommandError as exc:
        failures.append(CommandFailure(key, command, FailureKind.FAILED, str(exc).removeprefix(f"{command!r}: ")))


def _commands(platform: Platform, purposes: Iterable[str], outputs: dict[str, str]) -> list[tuple[str, str]]:
    """(purpose, the command this device is sent for it), given what it answered so far."""
    return [(purpose, platform.command(purpose, outputs)) for purpose in purposes]


def collect_facts(task: Task, outputs: dict[str, str] | None = None) -> Result:
    """Hostname, model, serial, version, uptime and HA state, as `tasks.models.Facts`.

    `outputs` ({purpose: output}) is filled with what was sent, so a later task never sends it twice.
    """
    platform = get_platform(task.host.platform or "")
    connection = _connection(task)
    purposes = platform.facts_commands
    sent = {} if outputs is None else outputs
    sent = _send(connection, platform, _commands(platform, purposes, sent), sent)
    facts = platform.parse_facts({p: sent[p] for p in purposes}, connection.base_prompt)
    return Result(host=task.host, result=facts)


def collect_transceivers(
    task: Task, outputs: dict[str, str] | None = None, failures: list[CommandFailure] | None = None
) -> Result:
    """Every pluggable optic the device reports, as a list of `tasks.models.Transceiver`.

    With `failures`, a follow-up command (an optic's vendor name) that fails or whose output cannot be read
    is recorded there, and the optics it concerns are read without it (their vendor unknown).
    """
    platform = get_platform(task.host.platform or "")
    connection = _connection(task)
    purposes = platform.transceiver_commands
    sent = {} if outputs is None else outputs
    sent = _send(connection, platform, _commands(platform, purposes, sent), sent)
    first = {p: sent[p] for p in purposes}
    followups = platform.transceiver_followups(first)
    sent = _send(connection, platform, followups.items(), sent, failures)
    extra = {k: sent[k] for k in followups if k in sent}
    if failures is None:
        return Result(host=task.host, result=platform.parse_transceivers({**first, **extra}))
    transceivers, unreadable = read_what_parses(platform.parse_transceivers, first, extra)
    failures += [CommandFailure(k, followups[k], FailureKind.UNREADABLE, why) for k, why in unreadable.items()]
    return Result(host=task.host, result=transceivers)


def collect_outputs(
    task: Task,
    purposes: Iterable[str],
    outputs: dict[str, str] | None = None,
    failures: list[CommandFailure] | None = None,
) -> Result:
    """The raw outputs of the platform's commands for `purposes` ({purpose: output}), for checks to parse.

    With `failures` the purposes are supplementary: one that fails is recorded there and left out.
    """
    platform = get_platform(task.host.platform or "")
    sent = {} if outputs is None else outputs
    sent = _send(_connection(task), platform, _commands(platform, purposes, sent), sent, failures)
    return Result(host=task.host, result=sent)


def collect_command(task: Task, key: str, command: str, outputs: dict[str, str] | None = None) -> Result:
    """The output of one essential `command` (a capability's own, e.g. the configuration compliance reads), kept
    in `outputs` under `key` and sent in the context the platform wants for `key`; its failure fails the host."""
    platform = get_platform(task.host.platform or "")
    sent = {} if outputs is None else outputs
    sent = _send(_connection(task), platform, [(key, command)], sent)
    return Result(host=task.host, result=sent[key])


def close_connection(task: Task) -> Result:
    """Close the host's connection now, inside the task, so no transport thread outlives the host's work."""
    if CONNECTION_NAME in task.host.connections:
        task.host.close_connection(CONNECTION_NAME)
    return Result(host=task.host)
