"""Nornir tasks that read a device: facts and transceivers, parsed by the host's platform module."""

from __future__ import annotations

from typing import Any

from nornir.core.task import Result, Task

from tasks.connection import CONNECTION_NAME, send_command
from tasks.platforms import get_platform


def _connection(task: Task) -> Any:
    return task.host.get_connection(CONNECTION_NAME, task.nornir.config)


def collect_facts(task: Task) -> Result:
    """Hostname, model, serial, version, uptime and HA state, as `tasks.models.Facts`."""
    platform = get_platform(task.host.platform or "")
    connection = _connection(task)
    outputs = {purpose: send_command(connection, platform.COMMANDS[purpose]) for purpose in platform.FACTS_COMMANDS}
    return Result(host=task.host, result=platform.facts(outputs, prompt=connection.base_prompt))


def collect_transceivers(task: Task) -> Result:
    """Every pluggable optic the device reports, as a list of `tasks.models.Transceiver`."""
    platform = get_platform(task.host.platform or "")
    connection = _connection(task)
    outputs = {
        purpose: send_command(connection, platform.COMMANDS[purpose]) for purpose in platform.TRANSCEIVER_COMMANDS
    }
    for key, command in platform.transceiver_followups(outputs).items():
        outputs[key] = send_command(connection, command)
    return Result(host=task.host, result=platform.transceivers(outputs))


def close_connection(task: Task) -> Result:
    """Close the host's connection now, inside the task, so no transport thread outlives the host's work."""
    if CONNECTION_NAME in task.host.connections:
        task.host.close_connection(CONNECTION_NAME)
    return Result(host=task.host)
