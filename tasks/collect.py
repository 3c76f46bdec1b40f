"""Nornir tasks that read a device: facts and transceivers, parsed by the host's `Platform`."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby
from typing import Any

from nornir.core.task import Result, Task

from tasks.connection import CONNECTION_NAME, send_in_context
from tasks.platforms import get_platform
from tasks.platforms.base import Platform


def _connection(task: Task) -> Any:
    return task.host.get_connection(CONNECTION_NAME, task.nornir.config)


def _send(
    platform: Platform, connection: Any, commands: Iterable[tuple[str, str]], outputs: dict[str, str]
) -> dict[str, str]:
    """Send each (key, command) whose key is not in `outputs` yet; `outputs` is shared between tasks.

    Keys the platform wants sent in a context (given what the device answered so far) are sent in it, each
    run of neighbouring keys of one context entered and left once.
    """
    pending = [(key, command, platform.context(key, outputs)) for key, command in commands if key not in outputs]
    for context, batch in groupby(pending, key=lambda item: item[2]):
        outputs.update(send_in_context(connection, context, [(key, command) for key, command, _ in batch]))
    return outputs


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
    sent = _send(platform, connection, _commands(platform, purposes, sent), sent)
    facts = platform.parse_facts({p: sent[p] for p in purposes}, connection.base_prompt)
    return Result(host=task.host, result=facts)


def collect_transceivers(task: Task, outputs: dict[str, str] | None = None) -> Result:
    """Every pluggable optic the device reports, as a list of `tasks.models.Transceiver`."""
    platform = get_platform(task.host.platform or "")
    connection = _connection(task)
    purposes = platform.transceiver_commands
    sent = {} if outputs is None else outputs
    sent = _send(platform, connection, _commands(platform, purposes, sent), sent)
    first = {p: sent[p] for p in purposes}
    followups = platform.transceiver_followups(first)
    sent = _send(platform, connection, followups.items(), sent)
    return Result(host=task.host, result=platform.parse_transceivers({**first, **{k: sent[k] for k in followups}}))


def collect_outputs(task: Task, purposes: Iterable[str], outputs: dict[str, str] | None = None) -> Result:
    """The raw outputs of the platform's commands for `purposes` ({purpose: output}), for checks to parse."""
    platform = get_platform(task.host.platform or "")
    sent = {} if outputs is None else outputs
    sent = _send(platform, _connection(task), _commands(platform, purposes, sent), sent)
    return Result(host=task.host, result=sent)


def close_connection(task: Task) -> Result:
    """Close the host's connection now, inside the task, so no transport thread outlives the host's work."""
    if CONNECTION_NAME in task.host.connections:
        task.host.close_connection(CONNECTION_NAME)
    return Result(host=task.host)
