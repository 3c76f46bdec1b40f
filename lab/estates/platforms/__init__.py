"""Per-platform demo data (``<platform>.yaml``): what a plausible device of the demo estate looks like."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from tasks.yamlfile import YamlError, read_yaml

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class DemoData:
    """One platform's demo data; ``failing_states`` maps a readiness check name to a ``state:`` that fails it."""

    platform: str
    name_kind: str
    ha_pairs: bool
    models: dict[str, str]
    versions: list[str]
    oem_optics: list[dict[str, str]]
    third_party_optics: list[dict[str, str]]
    failing_states: dict[str, dict[str, Any]] = field(default_factory=dict)
    ha_version_mismatch: dict[str, Any] = field(default_factory=dict)
    failing_state_not_on: dict[str, list[str]] = field(default_factory=dict)


def platforms() -> list[str]:
    """The platforms that have demo data, sorted."""
    return sorted(path.stem for path in HERE.glob("*.yaml"))


@cache
def demo_data(platform: str) -> DemoData:
    """The demo data of ``platform``; ``YamlError`` naming file, line and field when a field is missing."""
    doc = read_yaml(HERE / f"{platform}.yaml")
    data = doc.data if isinstance(doc.data, Mapping) else {}
    for key in ("name_kind", "models", "versions", "oem_optics", "third_party_optics"):
        if key not in data:
            raise YamlError(f"{doc.where((key,))}: required")
    return DemoData(
        platform=platform,
        name_kind=str(data["name_kind"]),
        ha_pairs=data.get("ha_pairs") is True,
        models={str(k): str(v) for k, v in data["models"].items()},
        versions=[str(v) for v in data["versions"]],
        oem_optics=[dict(o) for o in data["oem_optics"]],
        third_party_optics=[dict(o) for o in data["third_party_optics"]],
        failing_states=dict(data.get("failing_states") or {}),
        ha_version_mismatch=dict(data.get("ha_version_mismatch") or {}),
        failing_state_not_on=dict(data.get("failing_state_not_on") or {}),
    )
