"""Fortinet FortiOS (FortiGate): the platform, built from its parts (one module per job).

- `commands`: the commands sent and the session framing (paging, echo, prompt) taken off their output;
- `facts`: `get system status` and the optics as Facts and Transceivers;
- `readiness`: the pre-upgrade parsers and `read`, their outputs as a `ReadinessState`;
- `snapshot`: link state, counts and the sanitised configuration as a `Snapshot`;
- `upgrade`: the commands of each upgrade step (`UpgradeDriver`);
- `sanitise`: the configuration sanitiser; `version`: the FortiOS version scheme;
- `vdom`: multi-VDOM mode, and which commands run in `config global` or in a VDOM;
- `session`: the console's output mode set back at the end of a session.
"""

from __future__ import annotations

from tasks.platforms.base import Backup, ConfigForm, Platform, Readiness, Snapshotting
from tasks.platforms.fortinet import config_lines, facts, readiness, sanitise, session, snapshot, upgrade, vdom
from tasks.platforms.fortinet.commands import (
    COMMANDS,
    DEVICE_TYPE,
    ERROR_MARKERS,
    FACTS_COMMANDS,
    READINESS_COMMANDS,
    SNAPSHOT_COMMANDS,
    TRANSCEIVER_COMMANDS,
)
from tasks.platforms.fortinet.version import parse_fortios

PLATFORM = Platform(
    device_type=DEVICE_TYPE,
    os_name="FortiOS",
    vendor="Fortinet",
    commands=COMMANDS,
    facts_commands=FACTS_COMMANDS,
    transceiver_commands=TRANSCEIVER_COMMANDS,
    parse_facts=facts.read_facts,
    parse_transceivers=facts.read_transceivers,
    parse_version=parse_fortios,
    transceiver_followups=facts.transceiver_followups,
    readiness=Readiness(READINESS_COMMANDS, readiness.read, readiness.NEEDS),
    snapshot=Snapshotting(SNAPSHOT_COMMANDS, snapshot.read),
    sanitise_config=sanitise.sanitise_config,
    backup=Backup("config", sanitise.strip_volatile),
    upgrade=upgrade.DRIVER,
    compliance=ConfigForm(COMMANDS["config"], config_lines.config_lines, config_lines.__doc__ or ""),
    error_markers=ERROR_MARKERS,
    contexts=vdom.contexts,
    end_session=session.restore_output_mode,
)
