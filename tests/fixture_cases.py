"""Shared by the parser tests: real-output fixtures found by glob, their expected parse and provenance.

Layout: tests/fixtures/<platform>/<command_slug>/<case>.txt, with <case>.yaml (the expected parse, checked field by
field: a field the .yaml does not name is not compared) and <case>.source (repo, path, commit, licence).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def cases(platform: str) -> list[Path]:
    """Every fixture of `platform`, sorted."""
    return sorted((FIXTURES / platform).glob("*/*.txt"))


def case_id(path: Path) -> str:
    """`<command_slug>/<case>`: the pytest id of a fixture."""
    return f"{path.parent.name}/{path.stem}"


def expected(case: Path) -> dict[str, Any]:
    """The expected parse written beside a fixture."""
    data = yaml.safe_load(case.with_suffix(".yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{case.with_suffix('.yaml')}: expected a mapping"
    return data


def source(case: Path) -> dict[str, Any]:
    """A fixture's provenance; it must name the repository, path, commit and licence."""
    data = yaml.safe_load(case.with_suffix(".source").read_text(encoding="utf-8"))
    assert isinstance(data, dict) and {"repo", "path", "commit", "licence"} <= set(data), case
    return data


def assert_fields(actual: Any, wanted: Any, where: str) -> None:
    """`actual` holds every field of `wanted` with the same value (lists item by item, same length)."""
    if isinstance(wanted, dict):
        for key, value in wanted.items():
            assert key in actual, f"{where}: field {key!r} missing"
            assert_fields(actual[key], value, f"{where}.{key}")
    elif isinstance(wanted, list):
        assert len(actual) == len(wanted), f"{where}: {len(actual)} items, expected {len(wanted)}"
        for i, (row, want) in enumerate(zip(actual, wanted, strict=True)):
            assert_fields(row, want, f"{where}[{i}]")
    else:
        assert actual == wanted, f"{where}: {actual!r} != {wanted!r}"
