"""Tests of lab.estate: validation errors name the file and the field path; defaults; serials."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from lab import personalities
from lab.estate import DEFAULT_PASSWORD, DEFAULT_USERNAME, EstateFileError, serial_for
from lab.inventory import customer_groups, customer_hosts, shared_groups
from lab.personalities import load_estate as load

DEMO = Path(__file__).resolve().parents[2] / "lab" / "estates" / "demo.yaml"


SR = {"port": "ethernet1/5", "type": "10GBASE-SR", "vendor": "OEM", "part": "PAN-SFP-PLUS-SR"}


def fw(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "platform": "paloalto_panos", "model": "PA-5220", "version": "10.1.9", **extra}


def estate(*devices: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"customers": {"acme": {"sites": {"lon1": {"devices": list(devices)}}}}, **top}


def write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "e.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def error_of(tmp_path: Path, data: Any) -> str:
    path = write(tmp_path, data)
    with pytest.raises(EstateFileError) as info:
        load(path)
    message = str(info.value)
    assert "\n" not in message
    assert re.match(rf"{re.escape(str(path))}:\d+: ", message), message
    return message.split(": ", 1)[1]


def test_minimal_device_gets_defaults(tmp_path: Path) -> None:
    loaded = load(write(tmp_path, estate(fw("acme-lon1-fw01"))))
    (device,) = loaded.devices
    assert (device.customer, device.site, device.role) == ("acme", "lon1", "firewall")
    assert device.serial == serial_for("acme-lon1-fw01")
    assert (device.ha, device.optics, device.faults, device.latency_ms) == (None, (), frozenset(), 0)
    assert (loaded.username, loaded.password) == (DEFAULT_USERNAME, DEFAULT_PASSWORD)
    assert DEFAULT_PASSWORD not in repr(loaded)


def test_serial_is_deterministic_pan_like() -> None:
    serial = serial_for("acme-lon1-fw01")
    assert serial == serial_for("acme-lon1-fw01") != serial_for("acme-lon1-fw02")
    assert len(serial) == 12 and serial.isdigit()


def test_explicit_values_kept(tmp_path: Path) -> None:
    data = estate(
        fw("a", serial="013201001234", role="edge-fw", latency_ms=50, faults=["slow"], optics=[SR]),
        credentials={"username": "ops", "password": "s3cret-pw"},
    )
    loaded = load(write(tmp_path, data))
    device = loaded.devices[0]
    assert (device.serial, device.role, device.latency_ms, device.faults) == (
        "013201001234",
        "edge-fw",
        50,
        frozenset({"slow"}),
    )
    assert device.optics[0].serial  # generated when absent
    assert (loaded.username, loaded.password) == ("ops", "s3cret-pw")


def test_defaults_latency_applies_unless_overridden(tmp_path: Path) -> None:
    loaded = load(write(tmp_path, estate(fw("a"), fw("b", latency_ms=5), defaults={"latency_ms": 20})))
    assert [d.latency_ms for d in loaded.devices] == [20, 5]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            estate(fw("a"), fw("b"), fw("c"), fw("d", platform="foo")),
            "customers.acme.sites.lon1.devices[3].platform: unknown platform 'foo' (supported: ",
        ),
        (
            estate({"name": "a", "platform": "paloalto_panos", "model": "PA-5220"}),
            "customers.acme.sites.lon1.devices[0].version: required",
        ),
        (
            estate(fw("a", version=10.1)),
            "customers.acme.sites.lon1.devices[0].version: must be a string, got float (quote it)",
        ),
        (
            estate(fw("a", model="PA-9999")),
            "customers.acme.sites.lon1.devices[0].model: unknown PAN-OS model 'PA-9999'",
        ),
        (
            estate(fw("a", faults=["hang", "explode"])),
            "customers.acme.sites.lon1.devices[0].faults[1]: unknown fault 'explode'",
        ),
        (estate(fw("a", colour="red")), "customers.acme.sites.lon1.devices[0].colour: unknown field"),
        (estate(fw("a", latency_ms=-1)), "customers.acme.sites.lon1.devices[0].latency_ms: must be a number"),
        (
            estate(fw("a", optics=[dict(SR, port="ethernet1/1")])),
            "customers.acme.sites.lon1.devices[0].optics[0].port: ethernet1/1 of PA-5220 is a copper port",
        ),
        (
            estate(fw("a", optics=[{"port": "ethernet1/5", "type": "9GBASE-Q", "vendor": "OEM", "part": "X"}])),
            "customers.acme.sites.lon1.devices[0].optics[0].type: unknown optic type '9GBASE-Q'",
        ),
        (
            estate(fw("a", optics=[{"port": "ethernet1/5", "type": "10GBASE-SR", "vendor": "OEM"}])),
            "customers.acme.sites.lon1.devices[0].optics[0].part: required",
        ),
        (
            estate(fw("a", ha={"peer": "zz", "state": "active"})),
            "customers.acme.sites.lon1.devices[0].ha.peer: peer 'zz' is not another device of the estate",
        ),
        (
            estate(fw("a", ha={"peer": "b", "state": "active"}), fw("b", ha={"peer": "a", "state": "active"})),
            "customers.acme.sites.lon1.devices[0].ha.state: both peers are 'active'",
        ),
        (
            estate(fw("a", ha={"peer": "b", "state": "primary"})),
            "customers.acme.sites.lon1.devices[0].ha.state: unknown HA state 'primary'",
        ),
        (estate(fw("a"), credentials={"username": "x", "password": 123}), "credentials.password: must be a string"),
        (
            {"customers": {"acme": {"sites": {"lon1": {"devices": "nope"}}}}},
            "customers.acme.sites.lon1.devices: must be a list, got str",
        ),
        ({"custmers": {}}, "custmers: unknown field"),
        (estate(fw("a", state={"colour": 1})), "customers.acme.sites.lon1.devices[0].state.colour: unknown field"),
        (
            estate(fw("a", state={"jobs": [{"type": "Downld", "status": "RUN"}]})),
            "customers.acme.sites.lon1.devices[0].state.jobs[0].status: unknown job status 'RUN'",
        ),
        (
            estate(fw("a", state={"licenses": [{"feature": "Premium", "expires": "soon"}]})),
            "customers.acme.sites.lon1.devices[0].state.licenses[0].expires: must be a date",
        ),
        (
            estate(fw("a", state={"mgmt_cpu_pct": 120})),
            "customers.acme.sites.lon1.devices[0].state.mgmt_cpu_pct: must be a number between 0 and 100",
        ),
        (
            estate(fw("a", state={"environment": {"fan": True}})),
            "customers.acme.sites.lon1.devices[0].state.environment.fan: unknown field",
        ),
        (
            estate(fw("a", state={"ha_sync": "partial"})),
            "customers.acme.sites.lon1.devices[0].state.ha_sync: unknown HA sync state 'partial'",
        ),
        (
            estate(fw("a", state={"app_version": "8635"})),
            "customers.acme.sites.lon1.devices[0].state.app_version: must look like '8635-7675'",
        ),
        (
            estate(fw("a", state={"images": ["ten"]})),
            "customers.acme.sites.lon1.devices[0].state.images[0]: must be a PAN-OS version",
        ),
        (
            estate(fw("a", state={"pending_changes": "yes"})),
            "customers.acme.sites.lon1.devices[0].state.pending_changes: must be true or false",
        ),
        ([1, 2], "(top level): must be a mapping, got list"),
    ],
)
def test_errors_name_file_and_path(tmp_path: Path, data: Any, expected: str) -> None:
    assert error_of(tmp_path, data).startswith(expected)


def test_duplicate_names_are_an_error(tmp_path: Path) -> None:
    data = {
        "customers": {
            "acme": {"sites": {"lon1": {"devices": [fw("fw01")]}}},
            "globex": {"sites": {"ams1": {"devices": [fw("fw02"), fw("fw01")]}}},
        }
    }
    assert error_of(tmp_path, data) == (
        "customers.globex.sites.ams1.devices[1].name: duplicate device name 'fw01' "
        "(first at customers.acme.sites.lon1.devices[0])"
    )


def test_invalid_yaml_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("customers: [\n  - {a: 1\n", encoding="utf-8")
    with pytest.raises(EstateFileError, match=r"bad\.yaml:\d+: not valid YAML") as info:
        load(path)
    assert "\n" not in str(info.value)


def test_registry_lists_panos() -> None:
    assert "paloalto_panos" in personalities.supported()
    with pytest.raises(KeyError, match=r"supported: .*paloalto_panos"):
        personalities.get("foo")


def test_demo_estate_shape() -> None:
    demo = load(DEMO)
    assert len(demo.devices) >= 250
    customers = {d.customer for d in demo.devices}
    assert len(customers) >= 3
    for customer in customers:
        assert len({d.platform for d in demo.devices if d.customer == customer}) >= 3, customer
    firewalls = [d for d in demo.devices if d.platform == "paloalto_panos"]
    assert len(firewalls) >= 100
    third_party = [d for d in firewalls if any(o.vendor != "OEM" for o in d.optics)]
    assert len(firewalls) / 16 <= len(third_party) <= len(firewalls) / 5  # about one in eight
    faulty = [d for d in demo.devices if d.faults]
    assert sorted(f for d in faulty for f in d.faults) == ["auth_fail", "refuse"]
    assert all(o.vendor == "OEM" for d in faulty for o in d.optics if d.platform == "paloalto_panos")
    assert all(d.latency_ms == 0 for d in demo.devices)
    assert any(d.ha for d in demo.devices)


def test_inventory_documents(tmp_path: Path) -> None:
    loaded = load(write(tmp_path, estate(fw("a", role="edge-fw"), fw("b"))))
    assert shared_groups(loaded.devices) == {
        "paloalto_panos": {"platform": "paloalto_panos"},
        "edge-fw": {"data": {"role": "edge-fw"}},
        "firewall": {"data": {"role": "firewall"}},
    }
    assert customer_groups("acme", list(loaded.devices)) == {
        "acme": {"data": {"customer": "acme"}},
        "acme-lon1": {"groups": ["acme"], "data": {"customer": "acme", "site": "lon1"}},
    }
    assert customer_hosts(list(loaded.devices), {"a": 2001, "b": 2002})["a"] == {
        "hostname": "127.0.0.1",
        "port": 2001,
        "platform": "paloalto_panos",
        "groups": ["acme-lon1", "edge-fw", "paloalto_panos"],
        "data": {"customer": "acme", "site": "lon1", "role": "edge-fw", "model": "PA-5220"},
    }


def test_state_defaults_are_healthy(tmp_path: Path) -> None:
    (device,) = load(write(tmp_path, estate(fw("a")))).devices
    state = device.state
    assert (state.pending_changes, state.jobs, state.ntp_synced, state.ha_sync) == (False, (), True, "synchronized")
    assert not (state.environment.fan_failed or state.environment.psu_failed or state.environment.temp_alarm)
    assert state.licenses is None and state.disk_free_mb is None  # the lab picks healthy values


def test_state_values_kept(tmp_path: Path) -> None:
    state = {
        "pending_changes": True,
        "jobs": [{"type": "Downld", "status": "ACT"}, {"type": "Commit"}],
        "app_version": "8635-7675",
        "licenses": [
            {"feature": "Premium", "expires": "2020-01-31"},
            {"feature": "GlobalProtect Portal", "expires": "Never"},
            {"feature": "Threat Prevention", "expires_in_days": 10},
        ],
        "ntp_synced": False,
        "mgmt_cpu_pct": 93,
        "mgmt_mem_pct": 95.5,
        "disk_free_mb": 700,
        "environment": {"psu_failed": True},
        "ha_sync": "not synchronized",
        "peer_version": "9.1.17",
        "images": ["10.2.0", "10.2.4-h4"],
    }
    (device,) = load(write(tmp_path, estate(fw("a", state=state)))).devices
    s = device.state
    assert [(j.type, j.status, j.result) for j in s.jobs] == [("Downld", "ACT", "PEND"), ("Commit", "FIN", "OK")]
    assert s.licenses is not None
    today = date(2025, 1, 1)
    assert [lic.expiry(today) for lic in s.licenses] == [date(2020, 1, 31), None, date(2025, 1, 11)]
    assert (s.pending_changes, s.ntp_synced, s.mgmt_cpu_pct, s.mgmt_mem_pct, s.disk_free_mb) == (
        True,
        False,
        93,
        95.5,
        700,
    )
    assert (s.environment.psu_failed, s.environment.fan_failed, s.ha_sync, s.peer_version) == (
        True,
        False,
        "not synchronized",
        "9.1.17",
    )
    assert s.images == ("10.2.0", "10.2.4-h4") and s.app_version == "8635-7675"


def test_example_failing_states_are_valid_estate_state(tmp_path: Path) -> None:
    from lab.personalities.paloalto_panos import EXAMPLE_FAILING_STATES, EXAMPLE_HA_VERSION_MISMATCH
    from tasks.checks.readiness import ALL_CHECKS

    assert set(EXAMPLE_FAILING_STATES) == set(ALL_CHECKS)
    devices = [fw(f"fw-{name}", state=state) for name, state in EXAMPLE_FAILING_STATES.items()]
    devices.append(fw("fw-ha", state=EXAMPLE_HA_VERSION_MISMATCH))
    assert len(load(write(tmp_path, estate(*devices))).devices) == len(devices)


DUPLICATE_NAME = """\
customers:
  acme:
    sites:
      lon1:
        devices:
          - {name: fw01, platform: paloalto_panos, model: PA-5220, version: 10.1.9}
          - {name: fw02, platform: paloalto_panos, model: PA-5220, version: 10.1.9}
          - {name: fw01, platform: paloalto_panos, model: PA-850, version: 10.1.9}
"""


def test_a_device_name_written_twice_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "e.yaml"
    path.write_text(DUPLICATE_NAME, encoding="utf-8")
    with pytest.raises(EstateFileError) as info:
        load(path)
    assert str(info.value) == (
        f"{path}:8: customers.acme.sites.lon1.devices[2].name: duplicate device name 'fw01' "
        "(first at customers.acme.sites.lon1.devices[0])"
    )


def test_a_duplicate_key_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "e.yaml"
    path.write_text(DUPLICATE_NAME.replace("model: PA-850,", "model: PA-850, model: PA-820,"), encoding="utf-8")
    with pytest.raises(EstateFileError, match=rf"^{re.escape(str(path))}:8: .*devices\[2\]\.model: written twice"):
        load(path)


def test_an_error_after_loading_still_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "e.yaml"
    path.write_text(DUPLICATE_NAME.replace("model: PA-850", "model: PA-9999"), encoding="utf-8")
    with pytest.raises(
        EstateFileError, match=rf"^{re.escape(str(path))}:8: .*devices\[2\]\.model: unknown PAN-OS model"
    ):
        load(path)


def fg(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "platform": "fortinet", "model": "FortiGate-601F", "version": "7.4.8", **extra}


def test_a_fortigate_with_vdoms_is_multi_vdom_and_advanced_routing_is_a_panos_state(tmp_path: Path) -> None:
    loaded = load(write(tmp_path, estate(fg("fg1", vdoms=["root", "cust-a"]), fg("fg2"), fw("fw1"))))
    assert [d.vdoms for d in loaded.devices] == [("root", "cust-a"), (), ()]
    loaded = load(write(tmp_path, estate(fw("fw1", state={"advanced_routing": True}))))
    assert loaded.devices[0].state.advanced_routing is True


@pytest.mark.parametrize(
    ("device", "where", "words"),
    [
        (fw("fw1", vdoms=["root"]), "devices[0].vdoms", "unknown field for paloalto_panos"),
        (fg("fg1", vdoms=["root", "root"]), "devices[0].vdoms[1]", "'root' listed twice"),
        (fg("fg1", vdoms=["cust a"]), "devices[0].vdoms[0]", "must be one word"),
        (fg("fg1", vdoms="root"), "devices[0].vdoms", "must be a list"),
        (fg("fg1", state={"advanced_routing": True}), "devices[0].state.advanced_routing", "unknown field for"),
        (fw("fw1", state={"advanced_routing": "yes"}), "devices[0].state.advanced_routing", "must be true"),
    ],
)
def test_vdoms_and_advanced_routing_errors_name_the_field(
    tmp_path: Path, device: dict[str, Any], where: str, words: str
) -> None:
    message = error_of(tmp_path, estate(device))
    assert message.startswith(f"customers.acme.sites.lon1.{where}: ") and words in message, message
