"""FortiOS readiness commands: HA status, disk, NTP, performance, FortiGuard services, sensors."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from lab.estate import Device, License
from lab.personalities.base import (
    DeviceView,
    device_rng,
)
from lab.personalities.fortinet.hardware import (
    serial,
)

# --- pre-upgrade readiness ---------------------------------------------------------------------------------


def get_system_ha_status(view: DeviceView, args: dict[str, str]) -> str:
    """`get system ha status` in the 7.4.8 shape (oxidized 3001F sample); standalone in the 6.0 shape.

    Configuration Status is `in-sync` on both members only when both have ``state.ha_sync`` synchronized.
    """
    d, peer = view.device, view.peer
    if d.ha is None:
        return "\n".join(
            [
                "HA Health Status: OK",
                f"Model: {d.model}",
                "Mode: Standalone",
                "Group: 0",
                "Debug: 0",
                "Cluster Uptime: 0 days 0:0:0",
                "Cluster state change time: N/A",
                "ses_pickup: disable",
                "override: disable",
                "System Usage stats:",
                "HBDEV stats:",
                "number of vcluster: 0",
            ]
        )
    members = [d] + ([peer] if peer is not None else [])
    synced = all(m.state.ha_sync == "synchronized" for m in members)
    ordered = sorted(members, key=lambda m: 0 if m.ha and m.ha.state == "active" else 1)
    lines = [
        "HA Health Status: OK",
        f"Model: {d.model}",
        "Mode: HA A-P",
        f"Group Name: {ordered[0].name} Cluster",
        "Group ID: 50",
        "Debug: 0",
        "Cluster Uptime: 12 days 12:42:42",
        "Cluster state change time: 2026-01-12 12:12:12",
        "Primary selected using:",
        f"    <2026/01/12 12:42:12> vcluster-1: {serial(ordered[0])} is selected as the primary because its "
        "uptime is larger than peer member.",
        "ses_pickup: disable",
        "override: disable",
        "Configuration Status:",
    ]
    for i, member in enumerate(ordered):
        lines.append(f"    {serial(member)}(updated {i + 1} seconds ago): {'in-sync' if synced else 'out-of-sync'}")
    lines.append("System Usage stats:")
    for i, member in enumerate(ordered):
        lines += [
            f"    {serial(member)}(updated {i + 1} seconds ago):",
            "        sessions=288, npu-sessions=0, average-cpu-user/nice/system/idle=0%/0%/0%/100%, memory=8%",
        ]
    lines.append(f"number of member: {len(ordered)}")
    lines += [f"{m.name:<18}, {serial(m)}, HA cluster index = {i}" for i, m in enumerate(ordered)]
    lines += ["number of vcluster: 1", "vcluster 1: work 169.254.0.1"]
    roles = ("Primary", "Secondary")
    lines += [f"{roles[min(i, 1)]}: {serial(m)}, HA operating index = {i}" for i, m in enumerate(ordered)]
    return "\n".join(lines)


def free_disk_mb(device: Device) -> float:
    """Free MB on the log/data partition of the boot disk: ``state.disk_free_mb``, else a healthy 9-13 GB."""
    if device.state.disk_free_mb is not None:
        return float(device.state.disk_free_mb)
    return float(device_rng(device, "disk").randint(9000, 13000))


def diagnose_hardware_deviceinfo_disk(view: DeviceView, args: dict[str, str]) -> str:
    """`diagnose hardware deviceinfo disk` [unverified shape]: the boot disk, its two boot partitions and the
    log/data partition whose free space is ``state.disk_free_mb``."""
    d = view.device
    free = free_disk_mb(d)
    return "\n".join(
        [
            "Disk SYSTEM(boot)                ref:    0  14.9GiB   type: SSD [ATA SQF-SHMM1-16G] dev: /dev/sda",
            "   partition ref:   1  247.0MiB,  60.0MiB free   mounted: Y  label: 7464A257  dev: /dev/sda1(boot)",
            "   partition ref:   2  247.0MiB,  61.0MiB free   mounted: N  label: 7464A258  dev: /dev/sda2(boot)",
            f"   partition ref:   3  14.2GiB,  {free:.1f}MiB free   mounted: Y  label: LOGUSEDX  dev: /dev/sda3",
            "",
            "Total available disks:     1",
            "Max SSD disks:             1    Available storage disks:   1",
        ]
    )


def diagnose_sys_ntp_status(view: DeviceView, args: dict[str, str]) -> str:
    """`diagnose sys ntp status` in the shape of the published samples; ``state.ntp_synced``."""
    synced = view.device.state.ntp_synced
    reach = "reachable(0xff) S:3 T:54 selected" if synced else "unreachable S:1 T:0"
    return "\n".join(
        [
            f"synchronized: {'yes' if synced else 'no'}, ntpsync: enabled, server-mode: disabled",
            "",
            f"ipv4 server(ntp1.fortiguard.com) 208.91.115.123 -- {reach}",
            "    server-version=4, stratum=1",
        ]
    )


def get_system_performance_status(view: DeviceView, args: dict[str, str]) -> str:
    """`get system performance status` (300E sample shape); CPU and memory from ``state.mgmt_*_pct``."""
    d, r = view.device, device_rng(view.device, "performance")
    cpu = d.state.mgmt_cpu_pct if d.state.mgmt_cpu_pct is not None else float(r.randint(1, 20))
    mem = d.state.mgmt_mem_pct if d.state.mgmt_mem_pct is not None else float(r.randint(20, 55))
    total = 8172040
    used = int(total * mem / 100)
    idle = max(0, 100 - round(cpu))
    busy = 100 - idle
    states = f"{busy // 2}% user {busy - busy // 2}% system 0% nice {idle}% idle 0% iowait 0% irq 0% softirq"
    return "\n".join(
        [
            f"CPU states: {states}",
            f"CPU0 states: {states}",
            f"Memory: {total}k total, {used}k used ({mem:.1f}%), {total - used}k free ({100 - mem:.1f}%), "
            "200368k freeable (2.4%)",
            "Average network usage: 0 / 0 kbps in 1 minute, 0 / 0 kbps in 10 minutes, 0 / 0 kbps in 30 minutes",
            "Average sessions: 12 sessions in 1 minute, 10 sessions in 10 minutes, 9 sessions in 30 minutes",
            "Virus caught: 0 total in 1 minute",
            "IPS attacks blocked: 0 total in 1 minute",
            f"Uptime: 12 days,  3 hours,  {int(time.time() - view.started_at) // 60 % 60} minutes",
        ]
    )


FORTIGUARD_SERVICES = ("AV Engine", "Virus Definitions", "Attack Definitions", "Application Definitions")


def default_licenses(device: Device) -> tuple[License, ...]:
    """Healthy FortiGuard contracts: every service valid for another 200-400 days."""
    r = device_rng(device, "licenses")
    return tuple(License(name, expires_in_days=r.randint(200, 400)) for name in FORTIGUARD_SERVICES)


def get_system_fortiguard_service_status(view: DeviceView, args: dict[str, str]) -> str:
    """`get system fortiguard-service status` (300E sample columns); EXPIRE from ``state.licenses`` or a healthy
    default, `n/a` for a service without a licence. The YYYY-MM-DD form of EXPIRE is [unverified]."""
    d, today = view.device, datetime.now().date()
    licences = {lic.feature: lic for lic in (d.state.licenses or default_licenses(d))}
    lines = ["NAME               VERSION LAST UPDATE          METHOD    EXPIRE"]
    for name in dict.fromkeys([*FORTIGUARD_SERVICES, *licences]):
        lic = licences.get(name)
        expiry = lic.expiry(today) if lic else None
        updated = f"{today - timedelta(days=1)} 03:16:00"
        lines.append(f"{name:<19} 33.950  {updated}  scheduled {expiry.isoformat() if expiry else 'n/a'}")
    return "\n".join(lines)


def execute_sensor_list(view: DeviceView, args: dict[str, str]) -> str:
    """`execute sensor list` (300E sample rows); ``state.environment`` raises the fan, PSU or thermal alarm."""
    env = view.device.state.environment
    rows = [
        ("+VCC3", False, "value=3.2896"),
        ("+VCC12", False, "value=11.898"),
        ("CPU DTS0", env.temp_alarm, f"value={96 if env.temp_alarm else 38}"),
        ("TD1", False, "value=41"),
        ("Fan 1", False, "value=6600"),
        ("Fan 2", env.fan_failed, f"value={0 if env.fan_failed else 6500}"),
        ("PS1 VIN", False, "value=222"),
        ("PS1 Status", False, ""),
        ("PS2 VIN", env.psu_failed, "(reading unavailable)" if env.psu_failed else "value=221"),
        ("PS2 Status", env.psu_failed, ""),
    ]
    lines = []
    for i, (name, alarm, value) in enumerate(rows, start=1):
        tail = f"  {value}  threshold_status={4 if alarm else 0}" if value.startswith("value=") else f"  {value}"
        lines.append(f"    {i} {name:<17} alarm={int(alarm)}{tail.rstrip()}")
    return "\n".join(lines)
