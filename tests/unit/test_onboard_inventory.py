"""Onboarding writes an inventory the loader accepts, and re-runs keep what engineers wrote by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from tasks.errors import InventoryError
from workflows.inventory import build_inventory
from workflows.onboard_inventory import (
    Change,
    Member,
    plan_inventory,
    record_facts,
    write_plan,
)

SHARED = """\
# Groups shared by every customer (hand comment kept by onboarding).
paloalto_panos:
  platform: paloalto_panos
  data:
    vendor: Palo Alto Networks  # a hand note in a group that already exists
edge-fw:
  data:
    role: edge-fw
"""
OTHER_GROUPS = """\
other:
  data:
    customer: other
other-lon1:
  groups: [other]
  data:
    site: lon1
"""
OTHER_HOSTS = """\
other-fw1:
  hostname: 192.0.2.1
  groups: [other-lon1, edge-fw, paloalto_panos]
"""
FW1 = Member("new-ams1-fw1", "198.51.100.10", 22, "ams1", "edge-fw", "paloalto_panos")
SW1 = Member("new-ams1-sw1", "198.51.100.11", 2222, "ams1", "core-sw", "cisco_ios")
FW2 = Member("new-fra1-fw2", "198.51.100.12", 22, "fra1", "edge-fw", "paloalto_panos")


def make_root(tmp_path: Path) -> Path:
    root = tmp_path / "inventory"
    (root / "other").mkdir(parents=True)
    (root / "groups.yaml").write_text(SHARED, encoding="utf-8")
    (root / "other" / "groups.yaml").write_text(OTHER_GROUPS, encoding="utf-8")
    (root / "other" / "hosts.yaml").write_text(OTHER_HOSTS, encoding="utf-8")
    return root


def snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text(encoding="utf-8") for p in sorted(root.rglob("*")) if p.is_file()}


def onboard(root: Path, *members: Member) -> None:
    write_plan(root, plan_inventory(root, "new", members, "list.csv"))


def test_first_plan_writes_an_inventory_the_loader_reads(tmp_path: Path) -> None:
    root = make_root(tmp_path)
    plan = plan_inventory(root, "new", [FW1, SW1, FW2], "list.csv")
    assert (plan.added, plan.kept, plan.missing, plan.changed) == (
        ("new-ams1-fw1", "new-ams1-sw1", "new-fra1-fw2"),
        (),
        (),
        (),
    )
    assert set(plan.files) == {root / "groups.yaml", root / "new" / "groups.yaml", root / "new" / "hosts.yaml"}
    assert not (root / "new").exists()  # planning writes nothing
    write_plan(root, plan)
    for path, text in plan.files.items():
        assert path.read_text(encoding="utf-8") == text  # what a dry run prints is what is written
    inventory = build_inventory(root, credentials=False)
    got = {
        name: (h.hostname, h.port, h.platform, h.data["customer"], h.data["site"], h.data["role"])
        for name, h in inventory.hosts.items()
        if h.data["customer"] == "new"
    }
    assert got == {
        "new-ams1-fw1": ("198.51.100.10", 22, "paloalto_panos", "new", "ams1", "edge-fw"),
        "new-ams1-sw1": ("198.51.100.11", 2222, "cisco_ios", "new", "ams1", "core-sw"),
        "new-fra1-fw2": ("198.51.100.12", 22, "paloalto_panos", "new", "fra1", "edge-fw"),
    }
    hosts = (root / "new" / "hosts.yaml").read_text(encoding="utf-8")
    assert hosts.startswith("# Written by `estate onboard` from list.csv")
    assert "password" not in hosts and "username" not in hosts


def test_new_shared_groups_are_appended_keeping_the_comment(tmp_path: Path) -> None:
    root = make_root(tmp_path)
    onboard(root, FW1, SW1)
    text = (root / "groups.yaml").read_text(encoding="utf-8")
    assert text.startswith(SHARED)  # everything that was there, comment included, unchanged and first
    added = text[len(SHARED) :]
    assert "cisco_ios:\n  platform: cisco_ios\n" in added
    assert "core-sw:\n  data:\n    role: core-sw\n" in added
    assert "paloalto_panos" not in added and "edge-fw" not in added  # already there: not added twice


def test_shared_groups_file_is_created_when_missing(tmp_path: Path) -> None:
    root = make_root(tmp_path)
    (root / "groups.yaml").unlink()
    (root / "other").rename(tmp_path / "elsewhere")  # its hosts need the shared groups
    onboard(root, FW1)
    inventory = build_inventory(root, credentials=False)
    assert inventory.groups["paloalto_panos"].platform == "paloalto_panos"
    assert inventory.groups["edge-fw"].data == {"role": "edge-fw"}


def test_rerun_keeps_hand_edits_adds_new_and_reports_missing(tmp_path: Path) -> None:
    root = make_root(tmp_path)
    onboard(root, FW1, SW1)
    hosts = root / "new" / "hosts.yaml"
    text = hosts.read_text(encoding="utf-8")
    text = text.replace("new-ams1-sw1:\n", "# rack 12, console on port 7\nnew-ams1-sw1:\n")
    text = text.replace(
        "  groups: [new-ams1, edge-fw, paloalto_panos]\n",
        "  groups: [new-ams1, edge-fw, paloalto_panos]\n  data:\n    ticket: CHG-1234  # hand extra key\n",
    )
    hosts.write_text(text, encoding="utf-8")

    plan = plan_inventory(root, "new", [FW1, FW2], "list-v2.csv")
    assert (plan.added, plan.kept, plan.missing, plan.changed) == (
        ("new-fra1-fw2",),
        ("new-ams1-fw1",),
        ("new-ams1-sw1",),
        (),
    )
    write_plan(root, plan)
    after = hosts.read_text(encoding="utf-8")
    assert after.startswith(text)  # comment, extra key and the removed device all still there, unchanged
    assert "new-fra1-fw2:" in after[len(text) :]
    inventory = build_inventory(root, credentials=False)
    assert inventory.hosts["new-ams1-fw1"].data["ticket"] == "CHG-1234"
    assert "new-ams1-sw1" in inventory.hosts
    assert inventory.hosts["new-fra1-fw2"].data["site"] == "fra1"
    assert "new-fra1" in (root / "new" / "groups.yaml").read_text(encoding="utf-8")


def test_rerun_with_nothing_new_changes_no_file(tmp_path: Path) -> None:
    root = make_root(tmp_path)
    onboard(root, FW1, SW1)
    plan = plan_inventory(root, "new", [FW1, SW1], "list.csv")
    assert (plan.added, plan.kept, plan.files) == ((), ("new-ams1-fw1", "new-ams1-sw1"), {})


def test_changed_address_is_reported_and_not_overwritten(tmp_path: Path) -> None:
    root = make_root(tmp_path)
    onboard(root, FW1, SW1)
    moved = Member(FW1.name, "203.0.113.99", FW1.port, "fra1", FW1.role, FW1.platform)
    before = snapshot(root)
    plan = plan_inventory(root, "new", [moved, SW1], "list.csv")
    assert plan.changed == (
        Change("new-ams1-fw1", "hostname", "198.51.100.10", "203.0.113.99"),
        Change("new-ams1-fw1", "site", "ams1", "fra1"),
    )
    write_plan(root, plan)
    assert snapshot(root)["new/hosts.yaml"] == before["new/hosts.yaml"]
    assert build_inventory(root, credentials=False).hosts["new-ams1-fw1"].hostname == "198.51.100.10"


def test_group_clash_with_another_customer_is_refused_and_nothing_written(tmp_path: Path) -> None:
    root = make_root(tmp_path)
    with (root / "other" / "groups.yaml").open("a", encoding="utf-8") as handle:
        handle.write("core-sw:\n  data:\n    role: core-sw\n")
    before = snapshot(root)
    with pytest.raises(InventoryError, match=r"other/groups\.yaml:\d+: group 'core-sw': already defined") as err:
        plan_inventory(root, "new", [FW1, SW1], "list.csv")
    assert "\n" not in str(err.value)
    assert snapshot(root) == before


def test_site_group_clash_with_another_customer_is_refused(tmp_path: Path) -> None:
    root = make_root(tmp_path)
    with (root / "other" / "groups.yaml").open("a", encoding="utf-8") as handle:
        handle.write("new-ams1:\n  data:\n    site: ams1\n")
    with pytest.raises(InventoryError, match=r"other/groups\.yaml:8: group 'new-ams1': already defined"):
        plan_inventory(root, "new", [FW1], "list.csv")
    with pytest.raises(InventoryError, match=r"other/groups\.yaml:1: group 'other': already defined"):
        plan_inventory(root, "x", [Member("x-fw1", "192.0.2.9", 22, "lon1", "other", "paloalto_panos")], "l.csv")


def test_a_plan_the_loader_refuses_is_raised_with_the_real_path(tmp_path: Path) -> None:
    root = make_root(tmp_path)
    bad = Member("new-ams1-fw9", "198.51.100.19", 22, "ams1", "edge-fw", "no_such_os")
    before = snapshot(root)
    with pytest.raises(InventoryError, match="platform: unknown 'no_such_os'") as err:
        plan_inventory(root, "new", [bad], "list.csv")
    assert str(root / "new" / "hosts.yaml") in str(err.value)
    assert snapshot(root) == before


def test_a_device_already_onboarded_for_another_customer_is_refused(tmp_path: Path) -> None:
    root = make_root(tmp_path)
    clash = Member("other-fw1", "198.51.100.30", 22, "ams1", "edge-fw", "paloalto_panos")
    with pytest.raises(InventoryError, match="host other-fw1: already defined"):
        plan_inventory(root, "new", [clash], "list.csv")


def test_a_device_listed_twice_is_refused(tmp_path: Path) -> None:
    root = make_root(tmp_path)
    with pytest.raises(InventoryError, match=r"list\.csv: device 'new-ams1-fw1': listed twice"):
        plan_inventory(root, "new", [FW1, FW1], "list.csv")


def test_record_facts_keeps_comments_and_reports_a_changed_serial(tmp_path: Path) -> None:
    root = make_root(tmp_path)
    onboard(root, FW1, SW1)
    hosts = root / "new" / "hosts.yaml"
    hosts.write_text(
        hosts.read_text(encoding="utf-8").replace("new-ams1-sw1:\n", "# spare in the cage\nnew-ams1-sw1:\n"),
        encoding="utf-8",
    )
    first = record_facts(root, "new", {FW1.name: {"model": "PA-440", "serial": "0123"}, SW1.name: {"model": ""}})
    assert first == ()  # first values are not changes
    second = record_facts(root, "new", {FW1.name: {"model": "PA-440", "serial": "0999"}})
    assert second == (Change(FW1.name, "serial", "0123", "0999"),)
    text = hosts.read_text(encoding="utf-8")
    assert "# spare in the cage\nnew-ams1-sw1:" in text
    assert text.startswith("# Written by `estate onboard`")
    inventory = build_inventory(root, credentials=False)
    assert inventory.hosts[FW1.name].data["serial"] == "0999"  # a string, leading zero kept
    assert inventory.hosts[FW1.name].data["model"] == "PA-440"
    assert "model" not in inventory.hosts[SW1.name].data  # empty values are not stored


def test_record_facts_for_an_unknown_device_writes_nothing(tmp_path: Path) -> None:
    root = make_root(tmp_path)
    onboard(root, FW1)
    before = snapshot(root)
    with pytest.raises(InventoryError, match="host 'ghost'"):
        record_facts(root, "new", {FW1.name: {"serial": "1"}, "ghost": {"serial": "2"}})
    assert snapshot(root) == before


@pytest.mark.parametrize("indent", ["", "  "], ids=["pyyaml-style", "indented"])
def test_block_lists_keep_their_indentation(tmp_path: Path, indent: str) -> None:
    root = make_root(tmp_path)
    onboard(root, FW1)
    hosts = root / "new" / "hosts.yaml"
    text = hosts.read_text(encoding="utf-8")
    block = f"  groups:\n{indent}  - new-ams1\n{indent}  - edge-fw\n{indent}  - paloalto_panos\n"
    text = text.replace("  groups: [new-ams1, edge-fw, paloalto_panos]\n", block)
    hosts.write_text(text, encoding="utf-8")
    onboard(root, FW1, FW2)
    assert hosts.read_text(encoding="utf-8").startswith(text)
