"""The one YAML reader of every file estate reads (config, inventory, waivers, matrices, lab estate files).

It is stricter than `yaml.safe_load` in the ways a hand-edited file needs: a key written twice in one mapping
is an error (PyYAML keeps the last one silently, so a host written twice would vanish), and every error is one
line naming the file, the line and the field. It also remembers the line of every key and list item, so a
validator that finds a bad value later can still say where it is (`YamlDocument.line_of`, `validate`).
Dates stay text (`expires: 2026-06-30` is the string '2026-06-30'): the schema parses them, so a bad date is a
schema error naming its field, and data read from a file stays JSON-serialisable.

>>> doc = parse_yaml("hosts:\\n  fw1: {port: 22}\\n  fw2: {port: x}\\n", "hosts.yaml")
>>> doc.data["hosts"]["fw2"]["port"], doc.line_of(("hosts", "fw2", "port"))
('x', 3)
>>> doc.where(("hosts", "fw2", "port"))
'hosts.yaml:3: hosts.fw2.port'
>>> parse_yaml("hosts:\\n  fw1: {}\\n  fw1: {}\\n", "hosts.yaml")
Traceback (most recent call last):
...
tasks.yamlfile.YamlError: hosts.yaml:3: hosts.fw1: written twice (first on line 2)
>>> parse_yaml("expires: 2026-13-01\\n", "waivers.yaml").data
{'expires': '2026-13-01'}
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

FieldPath = tuple[str | int, ...]
Model = TypeVar("Model", bound=BaseModel)


class _Loader(yaml.SafeLoader):
    """SafeLoader without the timestamp resolver: dates stay text for the schema to parse."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

# libyaml's parser, where PyYAML was built with it, with the same resolvers: it composes the same nodes (with their
# marks, so lines are the same) about ten times faster; a large estate's inventory and the matrices are read at
# the start of every run. A file it rejects is parsed again by the Python loader, whose messages are the ones
# users see (libyaml words some problems differently).
_FastLoader: type[Any] = _Loader
if getattr(yaml, "__with_libyaml__", False):

    class _CLoader(yaml.CSafeLoader):  # type: ignore[misc, name-defined, unused-ignore]
        """CSafeLoader without the timestamp resolver."""

    _CLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers
    _FastLoader = _CLoader


class YamlError(ValueError):
    """A file that is not readable, valid YAML; the message is one line: `file:line: field: problem`."""


def field_text(path: Sequence[str | int]) -> str:
    """A field path as people write it.

    >>> field_text(("customers", "acme", "devices", 3, "platform"))
    'customers.acme.devices[3].platform'
    >>> field_text(())
    '(top level)'
    """
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


@dataclass(frozen=True)
class YamlDocument:
    """A parsed file: its data (plain dicts, lists and scalars) and the line of every key and item."""

    name: str
    data: Any
    lines: dict[FieldPath, int] = field(default_factory=dict, repr=False)

    def line_of(self, path: Sequence[str | int]) -> int | None:
        """The line of `path`, or of its nearest parent the file has (None for an empty file)."""
        probe = tuple(path)
        while probe not in self.lines and probe:
            probe = probe[:-1]
        return self.lines.get(probe)

    def where(self, path: Sequence[str | int]) -> str:
        """`file:line: field` for an error message about the value at `path`."""
        line = self.line_of(path)
        prefix = f"{self.name}:{line}" if line else self.name
        return f"{prefix}: {field_text(path)}"


_STR = "tag:yaml.org,2002:str"


class _Builder:
    """Builds Python data from a composed node tree, recording lines and refusing duplicate keys."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.lines: dict[FieldPath, int] = {}
        self._scalars = _Loader("")

    def build(self, node: yaml.Node, path: FieldPath) -> Any:
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            self._scalars.flatten_mapping(node)  # resolve `<<: *anchor` merge keys
            result: dict[Any, Any] = {}
            first: dict[Any, int] = {}
            for key_node, value_node in node.value:
                key = self.build(key_node, path)
                line = key_node.start_mark.line + 1
                if not isinstance(key, (str, int, float, bool)) and key is not None:
                    raise YamlError(f"{self.name}:{line}: {field_text(path)}: a key must be a plain value")
                if key in first:
                    where = f"{self.name}:{line}: {field_text((*path, str(key)))}"
                    raise YamlError(f"{where}: written twice (first on line {first[key]})")
                first[key] = line
                step = key if isinstance(key, (str, int)) else str(key)
                self.lines[(*path, step)] = line
                result[key] = self.build(value_node, (*path, step))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        if node.tag == _STR:  # most scalars: the text itself, as PyYAML's constructor returns it (without its costs)
            return node.value
        try:
            return self._scalars.construct_object(node, deep=True)
        except (ValueError, TypeError) as exc:  # a tagged scalar that cannot be built, e.g. `!!int x`
            raise YamlError(f"{self.name}:{node.start_mark.line + 1}: {field_text(path)}: {exc}") from None


def parse_yaml(text: str, name: str) -> YamlDocument:
    """Parse YAML `text` (named `name` in errors); raise YamlError on bad syntax or a duplicate key."""
    try:
        try:
            node = yaml.compose(text, Loader=_FastLoader)
        except yaml.YAMLError:
            node = yaml.compose(text, Loader=_Loader)  # the same error, in the Python loader's words
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise YamlError(f"{name}{line}: not valid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise YamlError(f"{name}: not valid YAML: {' '.join(str(exc).split())}") from None
    if node is None:
        return YamlDocument(name, None)
    builder = _Builder(name)
    try:
        data = builder.build(node, ())
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        line = f":{mark.line + 1}" if mark else ""
        raise YamlError(f"{name}{line}: {exc.problem}") from None
    return YamlDocument(name, data, builder.lines)


def display_path(path: Path) -> str:
    """`path` relative to the working directory when under it, else as given (for short error lines)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_yaml(path: Path) -> YamlDocument:
    """Read and parse the file at `path`; YamlError (one line naming the file) when it cannot be read."""
    name = display_path(path)
    if path.is_dir():
        raise YamlError(f"{name}: is a folder, not a file")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise YamlError(f"{name}: not found") from None
    except UnicodeDecodeError as exc:
        raise YamlError(f"{name}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise YamlError(f"{name}: cannot be read: {exc.strerror}") from None
    return parse_yaml(text, name)


def describe_error(error: Any) -> str:
    """One pydantic error as a short phrase (`field required`, `unknown field`, the validator's message...).

    >>> describe_error({"type": "missing", "msg": "Field required"})
    'field required'
    >>> describe_error({"type": "int_parsing", "msg": "Input should be a valid integer", "input": "x"})
    "input should be a valid integer (got 'x')"
    """
    kind, msg, given = error["type"], error["msg"], error.get("input")
    if kind == "missing":
        return "field required"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind.startswith("date") or kind.startswith("datetime"):
        return f"invalid date {given!r}"
    if kind == "value_error":
        return str(msg).removeprefix("Value error, ")
    return f"{msg[0].lower()}{msg[1:]} (got {given!r})"


def first_error(exc: ValidationError) -> Any:
    """The error to show of `exc`: an unknown field first (a misspelt key is why a required one is missing).

    >>> class Host(BaseModel, extra="forbid"):
    ...     hostname: str
    >>> try:
    ...     Host.model_validate({"hostnme": "a"})
    ... except ValidationError as exc:
    ...     first_error(exc)["loc"]
    ('hostnme',)
    """
    errors = exc.errors()
    return next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])


def validation_message(doc: YamlDocument, exc: ValidationError, base: Sequence[str | int] = ()) -> str:
    """`file:line: field.path: problem (and N more)` for the first error of `exc` on data at `base` of `doc`
    (an unknown field before the others: `first_error`)."""
    errors = exc.errors()
    first = first_error(exc)
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    loc = (*base, *(p for p in first["loc"] if isinstance(p, (str, int))))
    return f"{doc.where(loc)}: {describe_error(first)}{more}"


def validate(model: type[Model], doc: YamlDocument, context: dict[str, Any] | None = None) -> Model:
    """`doc.data` validated as `model`; YamlError naming the file, the line and the field otherwise.

    >>> class Port(BaseModel):
    ...     port: int
    >>> validate(Port, parse_yaml("# ssh\\nport: [22]\\n", "hosts.yaml"))
    Traceback (most recent call last):
    ...
    tasks.yamlfile.YamlError: hosts.yaml:2: port: input should be a valid integer (got [22])
    """
    if not isinstance(doc.data, dict):
        kind = "empty" if doc.data is None else f"a {type(doc.data).__name__}"
        raise YamlError(f"{doc.where(())}: expected a mapping, the file is {kind}")
    try:
        return model.model_validate(doc.data, context=context)
    except ValidationError as exc:
        raise YamlError(validation_message(doc, exc)) from None
