"""tasks.yamlfile reads with libyaml where PyYAML has it: the same data, the same lines, the same errors as the
Python loader, on every YAML file of the repository and on broken ones."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import tasks.yamlfile as yamlfile
from tasks.yamlfile import YamlError, parse_yaml

REPO = Path(__file__).resolve().parents[2]
FILES = sorted(
    p
    for folder in ("matrices", "inventory", "compliance", "lab/estates", "tests/fixtures")
    for p in (REPO / folder).rglob("*.yaml")
)
BROKEN = [
    "hosts:\n  fw1: {port: 22\n",  # an unclosed flow mapping
    "a: b: c\n",  # a mapping value where none is allowed
    "- a\nb: c\n",  # a block sequence then a mapping
    "key: 'unterminated\n",
    "\tkey: tab\n",
]


def _python(text: str, name: str) -> yamlfile.YamlDocument:
    fast = yamlfile._FastLoader
    yamlfile._FastLoader = yamlfile._Loader
    try:
        return parse_yaml(text, name)
    finally:
        yamlfile._FastLoader = fast


def test_libyaml_is_used_where_pyyaml_has_it() -> None:
    assert (yamlfile._FastLoader is not yamlfile._Loader) == bool(yaml.__with_libyaml__)


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(REPO)) for p in FILES])
def test_the_same_data_and_lines_as_the_python_loader(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    fast, slow = parse_yaml(text, path.name), _python(text, path.name)
    assert (fast.data, fast.lines) == (slow.data, slow.lines)


@pytest.mark.parametrize("text", BROKEN)
def test_the_same_one_line_error_as_the_python_loader(text: str) -> None:
    with pytest.raises(YamlError) as fast:
        parse_yaml(text, "hosts.yaml")
    with pytest.raises(YamlError) as slow:
        _python(text, "hosts.yaml")
    assert str(fast.value) == str(slow.value) and "\n" not in str(fast.value)
