"""docs/reliability.md `## Bad input`, driven: each row's case through the CLI, exit 3, its exact line, nothing written.

The table is the specification: its rows are read from the markdown (id, input, case, file / field, message) and
each id is made by tests/bad_input_cases.py in a fresh valid workspace. The run must exit 3, print exactly the
row's message as its only line on stderr, and leave the workspace as it was (no run folder, no partial file, no
lab state). A case with no row, or a row with no case, fails the table test.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path

import pytest

from lab import control
from tests.bad_input_cases import CASES, ENV_CASES, workspace
from workflows.cli import main

DOC = Path(__file__).resolve().parents[2] / "docs" / "reliability.md"
KINDS = ("inventory", "config.yaml", "matrix", "waiver", "estate file", "compliance rules", "onboarding list", "flag")
MIN_PER_KIND = 5


def table_rows(markdown: str) -> dict[str, dict[str, str]]:
    """The rows of the `## Bad input` table by id: {input, case, where, message} (backticks taken off).

    >>> table_rows("## Bad input\\n\\n| id | input | case | file / field | message |\\n|---|---|---|---|---|\\n"
    ...            "| `a-b` | flag | x | `--y` | `estate: --y: bad` |\\n\\n## Next\\n| `c` | d | e | f | g |\\n")
    {'a-b': {'input': 'flag', 'case': 'x', 'where': '--y', 'message': 'estate: --y: bad'}}
    """
    section = re.search(r"^## Bad input\n(.*?)(?=^## |\Z)", markdown, re.S | re.M)
    assert section, "docs/reliability.md has no '## Bad input' section"
    rows = {}
    for line in section.group(1).splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")] if line.startswith("|") else []
        if len(cells) != 5 or cells[0] in ("id", "") or set(cells[0]) <= {"-"}:
            continue
        key, kind, case, where, message = (c[1:-1] if c.startswith("`") and c.endswith("`") else c for c in cells)
        rows[key] = {"input": kind, "case": case, "where": where, "message": message}
    return rows


ROWS = table_rows(DOC.read_text(encoding="utf-8"))


def test_the_table_and_the_cases_are_the_same_and_cover_every_input() -> None:
    assert set(ROWS) == set(CASES)
    per_kind = Counter(row["input"] for row in ROWS.values())
    assert set(per_kind) == set(KINDS), per_kind
    assert min(per_kind.values()) >= MIN_PER_KIND, per_kind


SUPPORTED = re.compile(r"\(supported: ([^)]*)\)")


def without_registered(actual: str, expected: str) -> str:
    """`actual` with its `(supported: ...)` list as `expected` has it, when it lists at least those: another test
    of this process may have registered a throwaway platform (tests/throwaway, tiny_os).

    >>> without_registered("x (supported: a, b, tiny_os)\\n", "x (supported: a, b)")
    'x (supported: a, b)\\n'
    """
    got, want = SUPPORTED.search(actual), SUPPORTED.search(expected)
    if got and want and set(want.group(1).split(", ")) <= set(got.group(1).split(", ")):
        return actual.replace(got.group(0), want.group(0))
    return actual


def _tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha1(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("case", sorted(ROWS))
def test_bad_input_is_exit_3_one_line_nothing_written(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ESTATE_USERNAME", "ops")
    monkeypatch.setenv("ESTATE_PASSWORD", "pw-from-env")
    for name in ("CI_NODE_INDEX", "CI_NODE_TOTAL", "ESTATE_SESSION_LOG", "ESTATE_WORKERS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in ENV_CASES.get(case, {}).items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    argv = CASES[case](tmp_path)
    before = _tree(tmp_path)
    try:
        code = main(argv)
    finally:
        if (tmp_path / ".lab").exists():  # a bad estate that started a lab after all: stop it
            control.stop(tmp_path / ".lab")
    _, err = capsys.readouterr()
    assert (code, without_registered(err, ROWS[case]["message"])) == (3, ROWS[case]["message"] + "\n")
    assert _tree(tmp_path) == before
    assert not (tmp_path / "out").exists() and not (tmp_path / ".lab").exists()
