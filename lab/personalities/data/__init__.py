"""The personalities' hardware catalogues (``<platform>.yaml``: optic kinds, cages, port layouts) and their reader."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tasks.yamlfile import YamlDocument, YamlError, read_yaml

HERE = Path(__file__).resolve().parent

Layout = tuple[tuple[str, str], ...]


def read(platform: str, folder: Path = HERE) -> YamlDocument:
    """The catalogue of ``platform`` (``YamlError`` naming file and line when unreadable or not a mapping)."""
    doc = read_yaml(folder / f"{platform}.yaml")
    if not isinstance(doc.data, Mapping):
        raise YamlError(f"{doc.where(())}: must be a mapping")
    return doc


def section(doc: YamlDocument, key: str) -> Mapping[str, Any]:
    """The mapping under ``key`` (``YamlError`` naming file, line and field when absent or not a mapping)."""
    value = doc.data.get(key)
    if not isinstance(value, Mapping):
        raise YamlError(f"{doc.where((key,))}: must be a mapping")
    return value


def layouts(doc: YamlDocument, key: str = "models") -> dict[str, Layout]:
    """Model -> ((port, cage kind), ...) from groups ``{cage, prefix, first, last}`` or ``{cage, ports: [...]}``.

    >>> from tasks.yamlfile import parse_yaml
    >>> doc = parse_yaml("models:\\n  X: [{cage: sfp, prefix: p, first: 1, last: 2}, {cage: copper, ports: [m]}]", "x")
    >>> layouts(doc)["X"]
    (('p1', 'sfp'), ('p2', 'sfp'), ('m', 'copper'))
    """
    found: dict[str, Layout] = {}
    for model, groups in section(doc, key).items():
        ports: list[tuple[str, str]] = []
        for i, group in enumerate(groups if isinstance(groups, list) else ()):
            if not isinstance(group, Mapping) or "cage" not in group:
                raise YamlError(
                    f"{doc.where((key, model, i))}: must be {{cage, prefix, first, last}} or {{cage, ports}}"
                )
            if "ports" in group:
                ports += [(str(name), str(group["cage"])) for name in group["ports"]]
            else:
                numbers = range(int(group["first"]), int(group["last"]) + 1)
                ports += [(f"{group['prefix']}{n}", str(group["cage"])) for n in numbers]
        if not ports:
            raise YamlError(f"{doc.where((key, model))}: must list the model's port groups")
        found[str(model)] = tuple(ports)
    return found
