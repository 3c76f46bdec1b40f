"""Write a customer's devices into the inventory (`estate onboard`): plan the files, validate them, write them.

What is written (architecture §4)::

    <root>/groups.yaml             shared groups: one per platform and one per device role (appended when missing)
    <root>/<customer>/groups.yaml  the customer group and one group `<customer>-<site>` per site
    <root>/<customer>/hosts.yaml   per device: hostname, port, groups [<customer>-<site>, <role>, <platform>]

Files are edited round-trip (ruamel.yaml), so a re-run keeps comments, key order and the keys an engineer added
by hand. A device already in hosts.yaml is never rewritten: what the list says differently is reported as a
`Change`, and a device no longer in the list is reported as missing, never deleted. Every plan is validated by
the loader itself (`workflows.inventory.build_inventory` on a copy of the inventory with the planned files in),
so a plan that exists is one the loader accepts. Credentials are never written.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import Any

from nornir.core.inventory import Host, Inventory
from ruamel.yaml import YAML, YAMLError
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from tasks.errors import InventoryError
from tasks.names import NAME_RULE, is_name
from workflows.inventory import build_inventory

FACT_FIELDS = ("model", "serial")  # the facts record_facts stores under a host's data; nothing else
COMPARED = ("hostname", "port", "site", "role", "platform")  # what a kept device is compared on
_SHARED_HEADER = "Groups shared by every customer: one per platform (netmiko device_type) and one per device role."
_CUSTOMER_HEADER = "The customer and its sites as groups; a site group's data gives its hosts their `site`."


@dataclass(frozen=True)
class Member:
    """One device of the customer's list, ready to write; `platform` is a netmiko device_type."""

    name: str
    address: str
    port: int
    site: str
    role: str
    platform: str


@dataclass(frozen=True)
class Change:
    """A value the inventory holds (`inventory`) that differs from what the list or the device says (`source`)."""

    device: str
    field: str
    inventory: str
    source: str


@dataclass(frozen=True)
class InventoryPlan:
    """What onboarding a customer does to the inventory; `files` holds the complete new text of each changed file."""

    customer: str
    added: tuple[str, ...]
    kept: tuple[str, ...]
    missing: tuple[str, ...]
    changed: tuple[Change, ...]
    files: Mapping[Path, str]


@dataclass
class _Doc:
    """One YAML file loaded round-trip; `keep` is the text of a file that has comments but no entries."""

    path: Path
    text: str | None  # None: the file does not exist yet
    data: CommentedMap
    keep: str = ""
    touched: bool = field(default=False)

    def add(self, name: str, entry: CommentedMap) -> None:
        self.data[name] = entry
        self.touched = True

    def line(self, name: str) -> str:
        """`file:line` of entry `name` (the line is 1-based)."""
        try:
            return f"{self.path}:{self.data.lc.key(name)[0] + 1}"
        except (KeyError, AttributeError, TypeError):
            return str(self.path)


_BLOCK_ITEM = re.compile(r"^( *)[^\s#-][^\n]*:[ \t]*\n( *)- ", re.MULTILINE)


def _seq_offset(text: str) -> int:
    r"""How far a file indents a block list's `- ` under its key: 0 as PyYAML writes (`key:\n- a`), or 2.

    >>> _seq_offset("fw1:\n  groups:\n  - a\n"), _seq_offset("fw1:\n  groups:\n    - a\n"), _seq_offset("")
    (0, 2, 0)
    """
    found = _BLOCK_ITEM.search(text)
    return 2 if found and len(found.group(2)) - len(found.group(1)) >= 2 else 0


def _yaml(offset: int = 0) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long line an engineer wrote on one line
    yaml.indent(mapping=2, sequence=2 + offset, offset=offset)
    return yaml


def _load(path: Path) -> _Doc:
    """The file at `path` round-trip; an empty mapping when it does not exist. ruamel's errors become one
    InventoryError line naming the file and the line."""
    if not path.exists():
        return _Doc(path, None, CommentedMap())
    text = path.read_text(encoding="utf-8")
    try:
        data = _yaml().load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InventoryError(f"{where}: not valid YAML: {problem}") from None
    if data is None:
        return _Doc(path, text, CommentedMap(), keep=text)
    if not isinstance(data, CommentedMap):
        raise InventoryError(f"{path}: expected a mapping of names to entries, got {type(data).__name__}")
    return _Doc(path, text, data)


def _dump(doc: _Doc) -> str:
    """The complete new text of `doc` (a comments-only file keeps its text above the new entries)."""
    if not doc.data:
        return doc.keep
    out = StringIO()
    _yaml(_seq_offset(doc.text or "")).dump(doc.data, out)
    keep = doc.keep.rstrip("\n")
    return f"{keep}\n{out.getvalue()}" if keep.strip() else out.getvalue()


def _flow(items: Iterable[str]) -> CommentedSeq:
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def _mapping(*items: tuple[str, Any]) -> CommentedMap:
    return CommentedMap(list(items))


def _new_doc(path: Path, header: str) -> _Doc:
    doc = _Doc(path, None, CommentedMap())
    doc.data.yaml_set_start_comment(header)
    return doc


def _check_name(value: str, what: str, where: str) -> None:
    if not is_name(value):
        raise InventoryError(f"{where}: {what} {value!r}: {NAME_RULE}")


def _check_members(customer: str, members: Sequence[Member], source: str) -> None:
    _check_name(customer, "customer", source)
    seen: set[str] = set()
    for member in members:
        _check_name(member.name, "device", source)
        if member.name in seen:
            raise InventoryError(f"{source}: device {member.name!r}: listed twice")
        seen.add(member.name)


def _check_clashes(customer: str, members: Sequence[Member], docs: Mapping[str, _Doc], shared: _Doc) -> None:
    """Group names are one namespace: refuse a group this customer needs that another customer defines, and a
    customer or site group that the shared groups.yaml defines."""
    own = {customer, *(f"{customer}-{m.site}" for m in members)}
    needed = {**{m.platform: "platform" for m in members}, **{m.role: "role" for m in members}}
    both = sorted(own & set(needed))
    if both:
        name = both[0]
        raise InventoryError(
            f"{docs[customer].path}: group {name!r}: needed as a {needed[name]} and as {customer}'s group"
        )
    in_shared = sorted(own & set(shared.data))
    if in_shared:
        name = in_shared[0]
        raise InventoryError(f"{shared.line(name)}: group {name!r}: already defined (needed as {customer}'s group)")
    for other, doc in docs.items():
        clash = sorted((own | set(needed)) & set(doc.data)) if other != customer else []
        if clash:
            raise InventoryError(
                f"{doc.line(clash[0])}: group {clash[0]!r}: already defined for customer {other}; group names are "
                f"one namespace (needed by {customer})"
            )


def _other_group_docs(root: Path) -> dict[str, _Doc]:
    if not root.is_dir():
        return {}
    return {path.parent.name: _load(path) for path in sorted(root.glob("*/groups.yaml"))}


def _add_groups(customer: str, members: Sequence[Member], own: _Doc, shared: _Doc) -> None:
    if customer not in own.data:
        own.add(customer, _mapping(("data", _mapping(("customer", customer)))))
    for site in dict.fromkeys(m.site for m in members):
        name = f"{customer}-{site}"
        if name not in own.data:
            own.add(name, _mapping(("groups", _flow([customer])), ("data", _mapping(("site", site)))))
    for platform in dict.fromkeys(m.platform for m in members):
        if platform not in shared.data and platform not in own.data:
            shared.add(platform, _mapping(("platform", platform)))
    for role in dict.fromkeys(m.role for m in members):
        if role not in shared.data and role not in own.data:
            shared.add(role, _mapping(("data", _mapping(("role", role)))))


def _host_entry(customer: str, member: Member) -> CommentedMap:
    groups = _flow([f"{customer}-{member.site}", member.role, member.platform])
    return _mapping(("hostname", member.address), ("port", member.port), ("groups", groups))


def _copy_inventory(root: Path, dest: Path) -> None:
    """The files under `root` that the loader reads, copied to `dest`."""
    dest.mkdir(parents=True)
    if not root.is_dir():
        return
    for pattern in ("defaults.yaml", "groups.yaml", "*/groups.yaml", "*/hosts.yaml"):
        for path in sorted(root.glob(pattern)):
            target = dest / path.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)


def _validated(root: Path, files: Mapping[Path, str]) -> Inventory:
    """The inventory the loader builds from `root` with `files` in place of its files; its InventoryError (naming
    the real file, not the copy) when the result would not load."""
    with tempfile.TemporaryDirectory(prefix="estate-onboard-") as tmp:
        copy = Path(tmp) / "inventory"
        _copy_inventory(root, copy)
        for path, text in files.items():
            target = copy / path.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(text.encode("utf-8"))
        try:
            return build_inventory(copy, credentials=False)
        except InventoryError as exc:
            raise InventoryError(str(exc).replace(str(copy), str(root))) from None


def _differences(host: Host, member: Member) -> list[Change]:
    held = {
        "hostname": host.hostname,
        "port": host.port,
        "site": host.data.get("site"),
        "role": host.data.get("role"),
        "platform": host.platform,
    }
    listed = {
        "hostname": member.address,
        "port": member.port,
        "site": member.site,
        "role": member.role,
        "platform": member.platform,
    }
    return [
        Change(member.name, name, str(held[name]), str(listed[name]))
        for name in COMPARED
        if str(held[name]) != str(listed[name])
    ]


def plan_inventory(root: Path, customer: str, members: Sequence[Member], source: str) -> InventoryPlan:
    """Plan onboarding `members` as `customer` under `root`; nothing is written (see `write_plan`).

    New devices are appended to hosts.yaml, the groups they need are added, devices already there are left as
    they are (differences reported in `changed`), devices not in the list are reported in `missing`. Raises
    InventoryError (one line naming the file) for a group name another customer uses, a device listed twice,
    or a result the loader would refuse.
    """
    _check_members(customer, members, source)
    docs = _other_group_docs(root)
    shared = (
        _load(root / "groups.yaml")
        if (root / "groups.yaml").exists()
        else _new_doc(root / "groups.yaml", _SHARED_HEADER)
    )
    own_path = root / customer / "groups.yaml"
    docs[customer] = docs.get(customer) or _new_doc(own_path, _CUSTOMER_HEADER)
    _check_clashes(customer, members, docs, shared)
    _add_groups(customer, members, docs[customer], shared)

    hosts_path = root / customer / "hosts.yaml"
    clean_source = " ".join(source.split())
    hosts = (
        _load(hosts_path)
        if hosts_path.exists()
        else _new_doc(
            hosts_path,
            f"Written by `estate onboard` from {clean_source}.\n"
            "Hand edits and comments are kept on re-runs: devices already here are never rewritten or deleted.",
        )
    )
    existing = [str(name) for name in hosts.data]
    listed = {m.name for m in members}
    added = tuple(m.name for m in members if m.name not in hosts.data)
    kept = tuple(m.name for m in members if m.name in hosts.data)
    for member in members:
        if member.name in added:
            hosts.add(member.name, _host_entry(customer, member))

    files: dict[Path, str] = {}
    for doc in (shared, docs[customer], hosts):
        if doc.touched:
            text = _dump(doc)
            if text != doc.text:
                files[doc.path] = text
    inventory = _validated(root, files)

    changed: list[Change] = []
    for member in members:
        diffs = _differences(inventory.hosts[member.name], member)
        if member.name in kept:
            changed += diffs
        elif diffs:
            first = diffs[0]
            raise InventoryError(
                f"{hosts_path}: host {member.name}: {first.field}: its groups give {first.inventory!r} but "
                f"{source} says {first.source!r}"
            )
    missing = tuple(name for name in existing if name not in listed)
    return InventoryPlan(customer, added, kept, missing, tuple(changed), files)


def _write_files(files: Mapping[Path, str]) -> None:
    """Write every file to a temporary file beside it, then rename them all into place: nothing half-written."""
    staged: list[tuple[Path, Path]] = []
    try:
        for path, text in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            staged.append((Path(name), path))
            with os.fdopen(fd, "wb") as handle:
                handle.write(text.encode("utf-8"))
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(name, path.stat().st_mode & 0o777 if path.exists() else 0o644)
    except BaseException:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)
        raise
    for temp, path in staged:
        os.replace(temp, path)


def write_plan(root: Path, plan: InventoryPlan) -> None:
    """Write `plan.files` under `root` exactly as planned (the texts a dry run prints)."""
    base = root.resolve()
    for path in plan.files:
        if not path.resolve().is_relative_to(base):
            raise ValueError(f"{path}: not under the inventory root {root}")
    _write_files(plan.files)


def record_facts(root: Path, customer: str, facts: Mapping[str, Mapping[str, str]]) -> tuple[Change, ...]:
    """Store each device's `model` and `serial` (FACT_FIELDS) under its data in `<root>/<customer>/hosts.yaml`.

    Empty values are not stored. Returns a Change for each stored value that replaced a different one (a serial
    that changed since the last onboarding: a swapped unit). InventoryError for a device not in the file.
    """
    _check_name(customer, "customer", str(root))
    path = root / customer / "hosts.yaml"
    if not path.exists():
        raise InventoryError(f"{path}: not found; onboard the customer first")
    doc = _load(path)
    changes: list[Change] = []
    for device, values in facts.items():
        entry = doc.data.get(device)
        if not isinstance(entry, CommentedMap):
            raise InventoryError(f"{path}: host {device!r}: not in this customer's hosts; no facts stored")
        data = entry.get("data")
        if data is None:
            data = entry["data"] = CommentedMap()
        if not isinstance(data, CommentedMap):
            raise InventoryError(f"{doc.line(device)}: host {device}: data: expected a mapping")
        for name in FACT_FIELDS:
            value = (values.get(name) or "").strip()
            old = data.get(name)
            if not value or (old is not None and str(old) == value):
                continue
            if old is not None and str(old).strip():
                changes.append(Change(device, name, str(old), value))
            data[name] = value
            doc.touched = True
    if doc.touched:
        files = {path: _dump(doc)}
        _validated(root, files)
        _write_files(files)
    return tuple(changes)
