"""The layout rules of the platform seam (issue: one platform, one place), checked on the source itself.

- Shared code names no platform: in tasks/checks/, tasks/versions.py, tasks/collect.py, workflows/ and reports/
  no string literal (docstrings and doctests included) is a platform's device_type or a platform's path.
- Modules stay small enough to read: none over 500 lines in tasks/, workflows/, reports/; none over 700 in lab/.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = [ROOT / "tasks" / "checks", ROOT / "tasks" / "versions.py", ROOT / "tasks" / "collect.py"]
SHARED += [ROOT / "workflows", ROOT / "reports"]
# The six platforms of the estate, and a path only one of them has; written here, not read from the registry,
# so that a platform added later is covered only when someone decides it should be.
PLATFORM_WORDS = ("paloalto_panos", "fortinet", "cisco_ios", "cisco_nxos", "arista_eos", "juniper_junos")
PLATFORM_PATHS = ("/opt/panrepo",)
LIMITS = {"tasks": 500, "workflows": 500, "reports": 500, "lab": 700}


def _modules(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        found += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return found


def _strings(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


@pytest.mark.parametrize("path", _modules(SHARED), ids=lambda p: str(p.relative_to(ROOT)))
def test_shared_code_names_no_platform(path: Path) -> None:
    offending = [
        f"{path.relative_to(ROOT)}:{line}: {word}"
        for line, text in _strings(path)
        for word in (*PLATFORM_WORDS, *PLATFORM_PATHS)
        if word in text
    ]
    assert offending == []


def test_the_literal_check_can_fail(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('"""Docs."""\nX = {"paloalto_panos": 1}\n', encoding="utf-8")
    assert [text for _, text in _strings(sample) if "paloalto_panos" in text] == ["paloalto_panos"]


@pytest.mark.parametrize("top", sorted(LIMITS))
def test_no_module_over_its_size(top: str) -> None:
    limit = LIMITS[top]
    sizes = {p: len(p.read_text(encoding="utf-8").splitlines()) for p in _modules([ROOT / top])}
    assert {str(p.relative_to(ROOT)): n for p, n in sizes.items() if n > limit} == {}
