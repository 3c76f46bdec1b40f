"""Every parser of every platform, fed mangled real outputs: the only exception that may escape is ParseError.

The parsers are found through the `Platform` objects (facts, transceivers with their follow-ups, readiness,
snapshot, configuration sanitiser, volatile-line stripper, compliance line form, contexts, command variants,
version scheme), never listed by hand, so a new platform is fuzzed as soon as it is registered. The samples
are the real outputs in tests/fixtures/<platform>/ (a purpose's samples are the fixture folders whose words the
command's words contain); hypothesis mangles one output at a time: truncated, lines swapped, duplicated or
dropped, random characters inserted, replaced by another platform's output or another command's, or empty.

Repeatable and quick: `derandomize=True`, no example database, `max_examples` tuned so the whole module runs
in a few seconds (docs/reliability.md, "Parsers under fuzz"). A crash found here is fixed in the parser and kept
as a regular test of its minimal example (the `test_found_*` tests at the end).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tasks.errors import ParseError
from tasks.models import Facts
from tasks.platforms import platforms
from tasks.platforms.base import Platform, available

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EVERY_SAMPLE = sorted(p.read_text(encoding="utf-8") for p in FIXTURES.glob("**/*.txt"))
# ESTATE_FUZZ_EXAMPLES=2000 ESTATE_FUZZ_RANDOM=1: a longer, random search, to look for new crashes by hand.
FUZZ = settings(
    max_examples=int(os.environ.get("ESTATE_FUZZ_EXAMPLES", "20")),
    derandomize=not os.environ.get("ESTATE_FUZZ_RANDOM"),
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _words(slug: str) -> set[str]:
    return set(slug.replace("|", " ").replace("_", " ").split())


@cache
def samples(device_type: str, command: str) -> list[str]:
    """The real outputs of `command` on `device_type`: the fixture folders (or backup/<folder>) whose words
    the command's words contain, the most specific first match (`show_system_state` for `show system state
    filter sys.s*.p*.phy`; FortiOS `show` only for `show`)."""
    root = FIXTURES / device_type
    folders = [d for d in (*root.glob("*"), *root.glob("backup/*")) if d.is_dir() and d.name != "backup"]
    wanted = _words(command)
    fitting = [d for d in folders if _words(d.name) <= wanted]
    if not fitting:
        return []
    best = max(len(_words(d.name)) for d in fitting)
    if best == 1 and len(wanted) > 1:  # a one-word folder (FortiOS `show`) is only that command's
        return []
    chosen = [d for d in fitting if len(_words(d.name)) == best]
    return [p.read_text(encoding="utf-8") for d in chosen for p in sorted(d.glob("*.txt"))]


# --- mangling ------------------------------------------------------------------------------------------------


@st.composite
def mangled(draw: st.DrawFn, text: str) -> str:
    """`text` after one to three manglings."""
    for _ in range(draw(st.integers(1, 3))):
        text = draw(_one_mangling(text))
    return text


def _one_mangling(text: str) -> st.SearchStrategy[str]:
    lines = text.split("\n")
    n = len(lines)
    index = st.integers(0, max(n - 1, 0))
    noise = st.one_of(st.text(max_size=40), st.binary(max_size=40).map(lambda b: b.decode("latin-1")))
    return st.one_of(
        st.integers(0, len(text)).map(lambda k: text[:k]),  # truncated
        st.tuples(index, index).map(lambda ij: "\n".join(_swapped(lines, *ij))),
        index.map(lambda i: "\n".join(lines[: i + 1] + lines[i:])),  # a line duplicated
        index.map(lambda i: "\n".join(lines[:i] + lines[i + 1 :])),  # a line dropped
        st.tuples(st.integers(0, len(text)), noise).map(lambda kn: text[: kn[0]] + kn[1] + text[kn[0] :]),
        st.sampled_from(EVERY_SAMPLE),  # another platform's or another command's output
        st.just(""),
        st.tuples(index, noise).map(lambda iz: "\n".join([*lines[: iz[0]], iz[1], *lines[iz[0] + 1 :]])),
    )


def _swapped(lines: list[str], i: int, j: int) -> list[str]:
    out = list(lines)
    if out:
        out[i], out[j] = out[j], out[i]
    return out


# --- the parsers of a platform --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reader:
    """One parser of a platform: the purposes it reads and how to call it on {purpose: output}."""

    purposes: tuple[str, ...]
    call: Callable[[dict[str, str]], Any]
    allowed: tuple[type[Exception], ...] = (ParseError,)


def _base(platform: Platform) -> dict[str, str]:
    """One real output per purpose that has a sample."""
    found = {}
    for purpose, command in platform.commands.items():
        texts = samples(platform.device_type, command)
        if texts:
            found[purpose] = texts[0]
    return found


def _with_followups(platform: Platform, outputs: dict[str, str]) -> dict[str, str]:
    """`outputs` and one sample per follow-up command the (mangled) outputs call for."""
    extra: dict[str, str] = {}
    for key, command in platform.transceiver_followups(outputs).items():
        texts = samples(platform.device_type, command)
        extra[key] = texts[len(extra) % len(texts)] if texts else ""
    return {**outputs, **extra}


@cache
def readers(device_type: str) -> dict[str, Reader]:
    """Every parser the platform of `device_type` carries, by name."""
    platform = platforms()[device_type]
    base = _base(platform)
    p = platform
    found: dict[str, Reader] = {
        "facts": Reader(p.facts_commands, lambda o: p.parse_facts(o, "")),
        "transceivers": Reader(p.transceiver_commands, lambda o: p.parse_transceivers(_with_followups(p, o))),
        "contexts": Reader(tuple(base), p.contexts),
        "command_variants": Reader(tuple(base), p.command_variants),
        "version": Reader(p.facts_commands, lambda o: [p.parse_version(v) for v in o.values()], (ValueError,)),
    }
    facts = _facts(platform, base)
    if (readiness := available(p.readiness)) is not None and facts is not None:
        found["readiness"] = Reader(readiness.commands, lambda o: readiness.read(o, facts))
    if (snapshot := available(p.snapshot)) is not None and facts is not None:
        found["snapshot"] = Reader(snapshot.commands, lambda o: snapshot.read(o, facts, []))
    if (sanitise := available(p.sanitise_config)) is not None:
        found["sanitise_config"] = Reader(("config",), lambda o: sanitise(o["config"]))
    if (backup := available(p.backup)) is not None:
        found["strip_volatile"] = Reader((backup.command,), lambda o: backup.strip_volatile(o[backup.command]))
    if (form := available(p.compliance)) is not None:
        found["compliance_lines"] = Reader(("config",), lambda o: form.lines(o["config"]))
    return found


def _facts(platform: Platform, base: Mapping[str, str]) -> Facts | None:
    try:
        return platform.parse_facts(base, "")
    except (ParseError, KeyError):
        return None


CASES = [(dt, name) for dt, platform in platforms().items() for name in readers(dt)]


def test_every_platform_has_samples_for_its_facts_and_optics() -> None:
    for dt, platform in platforms().items():
        base = _base(platform)
        if not (FIXTURES / dt).is_dir():
            continue  # a test's throwaway platform
        assert set(platform.facts_commands) <= set(base), dt
        assert set(platform.transceiver_commands) <= set(base), dt


@pytest.mark.parametrize(("device_type", "reader"), CASES, ids=[f"{dt}-{name}" for dt, name in CASES])
@FUZZ
@given(data=st.data())
def test_only_parse_error_escapes(device_type: str, reader: str, data: st.DataObject) -> None:
    platform = platforms()[device_type]
    read = readers(device_type)[reader]
    outputs = _base(platform)
    purposes = [p for p in read.purposes if p in outputs] or list(read.purposes)
    target = data.draw(st.sampled_from(purposes), label="purpose")
    pool = samples(device_type, platform.command(target)) or EVERY_SAMPLE
    original = data.draw(st.sampled_from(pool), label="sample")
    outputs[target] = data.draw(mangled(original), label="mangled")
    with contextlib.suppress(*read.allowed):  # anything else fails the test with hypothesis's minimal example
        read.call(outputs)
