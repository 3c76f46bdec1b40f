"""Palo Alto PAN-OS: the platform, built from its parts (one module per job).

- `commands`: the commands sent and the session framing taken off their output;
- `facts`: `show system info`, HA state and optics (`show system state`) as Facts and Transceivers;
- `readiness`: the pre-upgrade parsers and `read`, their outputs as a `ReadinessState`;
- `snapshot`: link state, counts and the sanitised configuration as a `Snapshot`;
- `upgrade`: the commands of each upgrade step (`UpgradeDriver`);
- `session`: the session preparation (netmiko's, less two round trips);
- `sanitise`: the configuration sanitiser; `version`: the PAN-OS version scheme.
"""

from __future__ import annotations

from tasks.platforms.base import Backup, ConfigForm, Platform, Readiness, Snapshotting
from tasks.platforms.paloalto_panos import config_lines, facts, readiness, sanitise, session, snapshot, upgrade
from tasks.platforms.paloalto_panos.commands import (
    COMMANDS,
    DEVICE_TYPE,
    ERROR_MARKERS,
    FACTS_COMMANDS,
    READINESS_COMMANDS,
    SNAPSHOT_COMMANDS,
    TRANSCEIVER_COMMANDS,
    command_variants,
)
from tasks.platforms.paloalto_panos.version import parse_panos

PLATFORM = Platform(
    device_type=DEVICE_TYPE,
    os_name="PAN-OS",
    vendor="PAN",
    commands=COMMANDS,
    facts_commands=FACTS_COMMANDS,
    transceiver_commands=TRANSCEIVER_COMMANDS,
    parse_facts=facts.read_facts,
    parse_transceivers=facts.read_transceivers,
    parse_version=parse_panos,
    transceiver_followups=facts.transceiver_followups,
    readiness=Readiness(READINESS_COMMANDS, readiness.read, readiness.NEEDS),
    snapshot=Snapshotting(SNAPSHOT_COMMANDS, snapshot.read),
    sanitise_config=sanitise.sanitise_config,
    backup=Backup("config", sanitise.strip_volatile),
    upgrade=upgrade.DRIVER,
    compliance=ConfigForm(COMMANDS["config"], config_lines.config_lines, config_lines.__doc__ or ""),
    error_markers=ERROR_MARKERS,
    command_variants=command_variants,
    prepare_session=session.prepare_session,
)
