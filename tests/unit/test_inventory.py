"""Inventory loading and validation: every error is one line naming the file, the host and the field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tasks.errors import InventoryError
from workflows.inventory import build_inventory, credentials_for

ENV = {"ESTATE_USERNAME": "ops", "ESTATE_PASSWORD": "pw-from-env"}
REPO = Path(__file__).resolve().parents[2]


def write_inventory(root: Path, hosts: dict, groups: dict | None = None, shared: dict | None = None) -> Path:
    (root / "acme").mkdir(parents=True)
    (root / "groups.yaml").write_text(yaml.safe_dump(shared or {"paloalto_panos": {"platform": "paloalto_panos"}}))
    (root / "acme" / "groups.yaml").write_text(
        yaml.safe_dump(groups or {"acme": {}, "acme-lon1": {"groups": ["acme"], "data": {"site": "lon1"}}})
    )
    (root / "acme" / "hosts.yaml").write_text(yaml.safe_dump(hosts))
    return root / "acme" / "hosts.yaml"


def good_host(**changes: object) -> dict:
    host = {"hostname": "192.0.2.1", "groups": ["acme-lon1", "paloalto_panos"], "data": {"role": "edge-fw"}}
    host.update(changes)
    return host


def test_shipped_example_inventory_loads() -> None:
    inventory = build_inventory(REPO / "inventory", environ=ENV)
    host = inventory.hosts["example-corp-lon1-fw01"]
    assert host.platform == "paloalto_panos"
    assert (host.data["customer"], host.data["site"], host.data["role"]) == (
        "example-corp",
        "lon1",
        "edge-fw",
    )
    assert host.has_parent_group("example-corp")


def test_host_inherits_customer_site_platform_and_gets_credentials(tmp_path: Path) -> None:
    write_inventory(tmp_path, {"acme-fw1": good_host()})
    host = build_inventory(tmp_path, environ=ENV).hosts["acme-fw1"]
    assert (host.platform, host.port, host.data["customer"], host.data["site"]) == (
        "paloalto_panos",
        22,
        "acme",
        "lon1",
    )
    assert (host.username, host.password) == ("ops", "pw-from-env")


@pytest.mark.parametrize(
    ("host", "field"),
    [
        (good_host(port="ssh"), "port"),
        (good_host(port=70000), "port"),
        (good_host(hostname=""), "hostname"),
        (good_host(groups=["acme-lon1"]), "platform"),
        (good_host(platform="cisco_wlc", groups=["acme-lon1"]), "platform"),
        (good_host(groups=["acme-lon1", "paloalto_panos", "nope"]), "groups"),
        (good_host(data={}), "data.role"),
        (good_host(password="hunter2"), "password"),
        (good_host(colour="blue"), "colour"),
        (good_host(data={"role": "fw", "customer": "other"}), "data.customer"),
    ],
)
def test_bad_host_names_file_host_and_field(tmp_path: Path, host: dict, field: str) -> None:
    path = write_inventory(tmp_path, {"acme-fw1": host})
    with pytest.raises(InventoryError) as err:
        build_inventory(tmp_path, environ=ENV)
    message = str(err.value)
    assert re.match(rf"{re.escape(str(path))}:\d+: host acme-fw1: {re.escape(field)}", message), message
    assert "\n" not in message
    assert "hunter2" not in message


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = write_inventory(tmp_path, {"acme-fw1": good_host()})
    path.write_text("acme-fw1:\n  hostname: [unclosed\n")
    with pytest.raises(InventoryError, match=rf"^{re.escape(str(path))}:\d+: not valid YAML"):
        build_inventory(tmp_path, environ=ENV)


def test_duplicate_host_across_customers(tmp_path: Path) -> None:
    write_inventory(tmp_path, {"acme-fw1": good_host()})
    (tmp_path / "zeta").mkdir()
    (tmp_path / "zeta" / "hosts.yaml").write_text(yaml.safe_dump({"acme-fw1": good_host()}))
    with pytest.raises(InventoryError) as err:
        build_inventory(tmp_path, environ=ENV)
    zeta, acme = tmp_path / "zeta" / "hosts.yaml", tmp_path / "acme" / "hosts.yaml"
    assert str(err.value) == f"{zeta}:1: host acme-fw1: already defined in {acme}:1"


def test_missing_credentials_name_the_variable(tmp_path: Path) -> None:
    write_inventory(tmp_path, {"acme-fw1": good_host()})
    with pytest.raises(InventoryError, match="ESTATE_PASSWORD"):
        build_inventory(tmp_path, environ={"ESTATE_USERNAME": "ops"})
    # A check that does not connect needs no credentials.
    assert build_inventory(tmp_path, environ={}, credentials=False).hosts["acme-fw1"].password is None


def test_customer_credentials_override_the_shared_ones() -> None:
    env = {**ENV, "ESTATE_ACME_BANK_USERNAME": "acme-ops"}
    assert credentials_for("acme-bank", env) == ("acme-ops", "pw-from-env")
    assert credentials_for("globex", env) == ("ops", "pw-from-env")


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(InventoryError, match="inventory folder not found"):
        build_inventory(tmp_path / "nope", environ=ENV)


def test_duplicate_group_key_names_file_and_line(tmp_path: Path) -> None:
    write_inventory(tmp_path, {"acme-fw1": good_host()})
    groups = tmp_path / "acme" / "groups.yaml"
    groups.write_text("acme: {}\nacme-lon1:\n  groups: [acme]\n  data: {site: lon1}\nacme: {}\n")
    with pytest.raises(InventoryError) as err:
        build_inventory(tmp_path, environ=ENV)
    assert str(err.value) == f"{groups}:5: acme: written twice (first on line 1)"


def test_duplicate_data_key_in_a_host_names_the_field(tmp_path: Path) -> None:
    path = write_inventory(tmp_path, {"acme-fw1": good_host()})
    path.write_text(path.read_text() + "  hostname: 192.0.2.9\n")
    with pytest.raises(InventoryError, match=rf"^{re.escape(str(path))}:\d+: acme-fw1.hostname: written twice"):
        build_inventory(tmp_path, environ=ENV)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"netmiko": 5}, "connection_options.netmiko: input should be a valid dictionary"),
        ({"netmiko": {"password": "x"}}, "connection_options.netmiko.password: unknown field"),
        ({"netmiko": {"port": "ssh"}}, "connection_options.netmiko.port:"),
    ],
)
def test_bad_connection_options_are_one_line(tmp_path: Path, options: dict, expected: str) -> None:
    path = write_inventory(tmp_path, {"acme-fw1": good_host(connection_options=options)})
    with pytest.raises(InventoryError) as err:
        build_inventory(tmp_path, environ=ENV)
    message = str(err.value)
    assert re.match(rf"{re.escape(str(path))}:\d+: host acme-fw1: {re.escape(expected)}", message), message
    assert "\n" not in message


def test_connection_options_reach_nornir(tmp_path: Path) -> None:
    options = {"netmiko": {"extras": {"fast_cli": False}, "port": 2222}}
    write_inventory(tmp_path, {"acme-fw1": good_host(connection_options=options)})
    host = build_inventory(tmp_path, environ=ENV).hosts["acme-fw1"]
    assert (host.connection_options["netmiko"].extras, host.connection_options["netmiko"].port) == (
        {"fast_cli": False},
        2222,
    )


def test_defaults_error_names_file_and_line(tmp_path: Path) -> None:
    write_inventory(tmp_path, {"acme-fw1": good_host()})
    (tmp_path / "defaults.yaml").write_text("data: {}\nport: x\n")
    with pytest.raises(InventoryError, match=rf"^{re.escape(str(tmp_path / 'defaults.yaml'))}:2: port: "):
        build_inventory(tmp_path, environ=ENV)
