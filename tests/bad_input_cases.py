"""The bad-input cases of docs/reliability.md `## Bad input`: how each one is made, by the id its row starts with.

Every case starts from the same valid workspace (`workspace`): config.yaml, an inventory of one customer (`acme`,
two IOS switches on 127.0.0.1 port 9, where nothing listens: a case that wrongly got through would fail at once), a copy
of the shipped matrices and compliance rules, a lab estate file and an onboarding list. A case breaks one thing and
returns the command line to run from the workspace; paths in the messages are relative to it. IOS only, as its
matrix is among the quickest to load (PAN-OS's is five times larger).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import openpyxl
import yaml

REPO = Path(__file__).resolve().parents[1]
CUSTOMER = "acme"
HOSTS = "inventory/acme/hosts.yaml"
AUDIT = ["audit", "--customer", CUSTOMER, "--inventory", "inventory", "--out", "out"]
COMPLIANCE = ["compliance", "--customer", CUSTOMER, "--inventory", "inventory", "--out", "out", "--rules", "rules"]
LAB_UP = ["lab", "up", "--estate", "estate.yaml", "--inventory-out", "lab-inventory"]
ONBOARD = ["onboard", "--customer", "newco", "--inventory", "inventory", "--out", "out", "--dry-run", "--source"]
GOOD_HOSTS = """\
acme-lon1-sw02:
  hostname: 127.0.0.1
  port: 9
  groups: [acme-lon1, cisco_ios]
  data:
    role: access
acme-lon1-sw01:
  hostname: 127.0.0.1
  port: 9
  groups: [acme-lon1, cisco_ios]
  data:
    role: access
"""
GOOD_ESTATE = {
    "customers": {
        "acme": {
            "sites": {
                "lon1": {
                    "devices": [
                        {
                            "name": "acme-lon1-fw01",
                            "platform": "paloalto_panos",
                            "model": "PA-850",
                            "version": "10.1.9",
                        },
                        {"name": "acme-lon1-sw01", "platform": "cisco_ios", "model": "C9300-48P", "version": "17.9.4a"},
                    ]
                }
            }
        }
    }
}
LIST_HEADER = ["name", "address", "port", "site", "role", "platform"]
LIST_ROWS = [["newco-lon1-fw01", "127.0.0.1", "9", "lon1", "edge-fw", "paloalto_panos"]]


def workspace(root: Path) -> None:
    """A valid workspace in `root`: every case breaks one file of it."""
    shutil.copy(REPO / "config.yaml", root / "config.yaml")
    inventory = root / "inventory"
    (inventory / CUSTOMER).mkdir(parents=True)
    (inventory / "defaults.yaml").write_text("port: 22\n", encoding="utf-8")
    groups = "cisco_ios:\n  platform: cisco_ios\n"
    (inventory / "groups.yaml").write_text(groups, encoding="utf-8")
    customer = "acme:\n  data:\n    customer: acme\nacme-lon1:\n  groups: [acme]\n  data:\n    site: lon1\n"
    (inventory / CUSTOMER / "groups.yaml").write_text(customer, encoding="utf-8")
    (root / HOSTS).write_text(GOOD_HOSTS, encoding="utf-8")
    (inventory / CUSTOMER / "waivers.yaml").write_text("waivers: []\n", encoding="utf-8")
    shutil.copytree(REPO / "matrices", root / "matrices")
    shutil.copytree(REPO / "compliance", root / "rules")
    (root / "estate.yaml").write_text(yaml.safe_dump(GOOD_ESTATE, sort_keys=False), encoding="utf-8")
    _csv(root / "list.csv", [LIST_HEADER, *LIST_ROWS])


def _csv(path: Path, rows: list[list[str]]) -> None:
    path.write_text("".join(",".join(row) + "\n" for row in rows), encoding="utf-8")


def _xlsx(path: Path, rows: list[list[str]]) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(path)


def _edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert old in text, (name, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _write(root: Path, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _estate(root: Path, **device: object) -> None:
    """The estate file with its first device's fields changed (a value None removes the field)."""
    estate = yaml.safe_load((root / "estate.yaml").read_text(encoding="utf-8"))
    first = estate["customers"]["acme"]["sites"]["lon1"]["devices"][0]
    for key, value in device.items():
        if value is None:
            first.pop(key, None)
        else:
            first[key] = value
    (root / "estate.yaml").write_text(yaml.safe_dump(estate, sort_keys=False), encoding="utf-8")


Case = Callable[[Path], list[str]]
ENV_CASES: dict[str, dict[str, str | None]] = {  # environment each case needs besides the workspace's
    "inventory-no-password": {"ESTATE_PASSWORD": None},
    "config-env-workers": {"ESTATE_WORKERS": "many"},
    "config-env-session-log": {"ESTATE_SESSION_LOG": "maybe"},
}


CASES: dict[str, Case] = {
    # --- inventory ---------------------------------------------------------------------------------------------
    "inventory-unknown-platform": lambda r: (
        _edit(r, HOSTS, "  groups: [acme-lon1, cisco_ios]\n", "  groups: [acme-lon1]\n  platform: cisco_wlc\n"),
        AUDIT,
    )[1],
    "inventory-host-twice": lambda r: (_write(r, HOSTS, GOOD_HOSTS + GOOD_HOSTS.split("acme-lon1-sw01")[0]), AUDIT)[1],
    "inventory-not-yaml": lambda r: (_write(r, HOSTS, GOOD_HOSTS + "acme-lon1-fw02: [unclosed\n"), AUDIT)[1],
    "inventory-unknown-group": lambda r: (_edit(r, HOSTS, "[acme-lon1, cisco_ios]", "[acme-lon2, cisco_ios]"), AUDIT)[
        1
    ],
    "inventory-bad-port": lambda r: (_edit(r, HOSTS, "port: 9", "port: nine"), AUDIT)[1],
    "inventory-unknown-field": lambda r: (_edit(r, HOSTS, "  hostname: 127.0.0.1\n", "  hostnme: 127.0.0.1\n"), AUDIT)[
        1
    ],
    "inventory-no-site": lambda r: (_edit(r, "inventory/acme/groups.yaml", "    site: lon1\n", "    room: 1\n"), AUDIT)[
        1
    ],
    "inventory-no-password": lambda r: AUDIT,
    # --- config.yaml -------------------------------------------------------------------------------------------
    "config-bad-number": lambda r: (_edit(r, "config.yaml", "command_timeout: 30", "command_timeout: soon"), AUDIT)[1],
    "config-zero-workers": lambda r: (_edit(r, "config.yaml", "connect_timeout: 10", "connect_timeout: 0"), AUDIT)[1],
    "config-unknown-runner": lambda r: (_edit(r, "config.yaml", "plugin: threaded", "plugin: turbo"), AUDIT)[1],
    "config-key-twice": lambda r: (
        _edit(r, "config.yaml", "    command_timeout: 30", "    command_timeout: 30\n    command_timeout: 40"),
        AUDIT,
    )[1],
    "config-bad-threshold": lambda r: (_edit(r, "config.yaml", "routes_warn: 5 ", "routes_warn: 150 "), AUDIT)[1],
    "config-bad-session-log": lambda r: (_edit(r, "config.yaml", "session_log: false", "session_log: maybe"), AUDIT)[1],
    "config-env-workers": lambda r: AUDIT,
    "config-env-session-log": lambda r: AUDIT,
    # --- matrix ------------------------------------------------------------------------------------------------
    "matrix-not-yaml": lambda r: (_edit(r, "matrices/cisco_ios.yaml", "optics:\n", "optics: [\n"), AUDIT)[1],
    "matrix-unknown-field": lambda r: (
        _edit(r, "matrices/cisco_ios.yaml", "  - part: GLC-SX-MMD\n", "  - part: GLC-SX-MMD\n    colour: blue\n"),
        AUDIT,
    )[1],
    "matrix-wrong-platform": lambda r: (
        _edit(r, "matrices/cisco_ios.yaml", "platform: cisco_ios", "platform: cisco_nxos"),
        AUDIT,
    )[1],
    "matrix-missing": lambda r: ((r / "matrices" / "cisco_ios.yaml").unlink(), AUDIT)[1],
    "matrix-bad-status": lambda r: (
        _edit(r, "matrices/cisco_ios.yaml", "    status: src\n", "    status: rumour\n"),
        AUDIT,
    )[1],
    "matrix-local-no-source": lambda r: (
        _write(r, "matrices/local/ios.yaml", _story(r).replace("    source:\n", "    sourced:\n")),
        AUDIT,
    )[1],
    # --- waivers -----------------------------------------------------------------------------------------------
    "waiver-bad-date": lambda r: (_waiver(r, "expires: next year"), AUDIT)[1],
    "waiver-no-reason": lambda r: (_waiver(r, "reason: ''"), AUDIT)[1],
    "waiver-part-and-device": lambda r: (_waiver(r, "device: acme-lon1-sw01"), AUDIT)[1],
    "waiver-unknown-field": lambda r: (_waiver(r, "colour: blue"), AUDIT)[1],
    "waiver-not-a-list": lambda r: (_write(r, "inventory/acme/waivers.yaml", "waivers: {part: X}\n"), AUDIT)[1],
    # --- estate file (the lab) ---------------------------------------------------------------------------------
    "estate-no-platform": lambda r: (_estate(r, platform=None), LAB_UP)[1],
    "estate-unknown-platform": lambda r: (_estate(r, platform="cisco_wlc"), LAB_UP)[1],
    "estate-unknown-fault": lambda r: (_estate(r, faults=["melt"]), LAB_UP)[1],
    "estate-bad-reboot": lambda r: (_estate(r, reboot_s=-1), LAB_UP)[1],
    "estate-same-name": lambda r: (_estate(r, name="acme-lon1-sw01"), LAB_UP)[1],
    "estate-unknown-peer": lambda r: (_estate(r, ha={"peer": "nobody", "state": "active"}), LAB_UP)[1],
    # --- compliance rules --------------------------------------------------------------------------------------
    "rules-bad-kind": lambda r: (_edit(r, "rules/cisco_ios.yaml", "kind: required", "kind: desired"), COMPLIANCE)[1],
    "rules-bad-regex": lambda r: (
        _edit(r, "rules/cisco_ios.yaml", "match: ['^snmp-server community ']", "match: ['^snmp-server (']"),
        COMPLIANCE,
    )[1],
    "rules-same-id": lambda r: (_edit(r, "rules/cisco_ios.yaml", "id: syslog-server", "id: ntp-servers"), COMPLIANCE)[
        1
    ],
    "rules-missing-template": lambda r: (
        _edit(
            r,
            "rules/cisco_ios.yaml",
            "    kind: required\n    match: ['^ntp server (vrf \\S+ )?\\S+']\n",
            "    kind: golden\n    template: templates/nowhere.j2\n    section: '^ntp'\n",
        ),
        COMPLIANCE,
    )[1],
    "rules-no-folder": lambda r: [*COMPLIANCE[:-1], "nowhere"],
    "rules-wrong-platform": lambda r: (
        _edit(r, "rules/cisco_ios.yaml", "platform: cisco_ios", "platform: cisco_wlc"),
        COMPLIANCE,
    )[1],
    "rules-unknown-field": lambda r: (
        _edit(r, "rules/cisco_ios.yaml", "    feature: ntp\n", "    feature: ntp\n    colour: blue\n"),
        COMPLIANCE,
    )[1],
    # --- onboarding lists --------------------------------------------------------------------------------------
    "onboard-csv-no-site-column": lambda r: (
        _csv(r / "l.csv", [_drop(LIST_HEADER, 3), _drop(LIST_ROWS[0], 3)]),
        [*ONBOARD, "l.csv"],
    )[1],
    "onboard-csv-bad-port": lambda r: (
        _csv(r / "l.csv", [LIST_HEADER, _set(LIST_ROWS[0], 2, "70000")]),
        [*ONBOARD, "l.csv"],
    )[1],
    "onboard-csv-bad-address": lambda r: (
        _csv(r / "l.csv", [LIST_HEADER, _set(LIST_ROWS[0], 1, "300.1.1.1")]),
        [*ONBOARD, "l.csv"],
    )[1],
    "onboard-csv-unknown-platform": lambda r: (
        _csv(r / "l.csv", [LIST_HEADER, _set(LIST_ROWS[0], 5, "cisco_wlc")]),
        [*ONBOARD, "l.csv"],
    )[1],
    "onboard-csv-empty": lambda r: (_csv(r / "l.csv", []), [*ONBOARD, "l.csv"])[1],
    "onboard-xlsx-no-role": lambda r: (
        _xlsx(r / "l.xlsx", [LIST_HEADER, _set(LIST_ROWS[0], 4, "")]),
        [*ONBOARD, "l.xlsx"],
    )[1],
    "onboard-xlsx-no-sheet": lambda r: (
        _xlsx(r / "l.xlsx", [LIST_HEADER, *LIST_ROWS]),
        [*ONBOARD, "l.xlsx", "--sheet", "Devices"],
    )[1],
    "onboard-xlsx-same-address": lambda r: (
        _xlsx(r / "l.xlsx", [LIST_HEADER, LIST_ROWS[0], _set(LIST_ROWS[0], 0, "newco-lon1-fw02")]),
        [*ONBOARD, "l.xlsx"],
    )[1],
    "onboard-xlsx-not-a-workbook": lambda r: (_write(r, "l.xlsx", "name,address\n"), [*ONBOARD, "l.xlsx"])[1],
    "onboard-wrong-suffix": lambda r: (_write(r, "l.txt", "x"), [*ONBOARD, "l.txt"])[1],
    # --- flags -------------------------------------------------------------------------------------------------
    "flag-unknown": lambda r: [*AUDIT, "--bogus"],
    "flag-target-not-a-release": lambda r: [*AUDIT, "--target", "99.9.9"],
    "flag-unknown-customer": lambda r: ["audit", "--customer", "nope", "--inventory", "inventory", "--out", "out"],
    "flag-workers": lambda r: [*AUDIT, "--workers", "0"],
    "flag-shard": lambda r: [*AUDIT, "--shard", "3/2"],
    "flag-filter": lambda r: [*AUDIT, "--filter", "model"],
    "flag-out-is-a-file": lambda r: (
        _write(r, "out.txt", "x"),
        ["audit", "--customer", CUSTOMER, "--inventory", "inventory", "--out", "out.txt"],
    )[1],
    "flag-via": lambda r: ["pre-upgrade", "--target", "cisco_ios=17.12.4", "--via", "17.9.4a,", *AUDIT[1:]],
    "flag-baseline-missing": lambda r: ["post-upgrade", "--baseline", "nowhere", *AUDIT[1:]],
}


def _waiver(root: Path, change: str) -> None:
    """One valid part waiver with `change` added or put in place of its field of that name."""
    fields = {"part": "FTLX8571D3BCL", "reason": "approved", "approved_by": "cab", "expires": "2099-01-01"}
    key, _, value = change.partition(": ")
    fields[key] = value
    body = "".join(f"    {k}: {v}\n" for k, v in fields.items())
    _write(root, "inventory/acme/waivers.yaml", "waivers:\n  - " + body.lstrip())


def _story(root: Path) -> str:
    """The shipped lesson learned, as a lesson for IOS."""
    text = (root / "matrices" / "local" / "story-field-report.yaml").read_text(encoding="utf-8")
    return text.replace("platform: paloalto_panos", "platform: cisco_ios")


def _drop(row: list[str], index: int) -> list[str]:
    return row[:index] + row[index + 1 :]


def _set(row: list[str], index: int, value: str) -> list[str]:
    return [value if i == index else v for i, v in enumerate(row)]
