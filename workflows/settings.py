"""estate's settings: a default for each, a config.yaml key, and an ESTATE_<KEY> environment override."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import yaml

from tasks.errors import UsageError

DEFAULT_CONFIG = Path("config.yaml")


@dataclass(frozen=True)
class Settings:
    """What a run needs to know besides its command-line selection."""

    inventory: Path = Path("inventory")
    matrices: Path = Path("matrices")
    output: Path = Path("output")
    workers: int = 200
    connect_timeout: float = 10.0
    command_timeout: float = 30.0
    checks: str = "all"  # pre-upgrade readiness checks: `all`, names, `!name` (workflows.selection.select_checks)
    min_content: str | None = None  # your policy: lowest Apps & Threats content before a PAN-OS upgrade

    def override(self, **changes: Any) -> Settings:
        """A copy with the non-None `changes` applied (CLI flags win over config and environment)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def _text(value: Any) -> str:
    """A setting that is text: a YAML list (e.g. of checks) is joined with commas."""
    return ",".join(str(v) for v in value) if isinstance(value, list) else str(value)


def _coerce(name: str, value: Any, kind: Any, source: str) -> Any:
    try:
        result = kind(value)
    except (TypeError, ValueError):
        raise UsageError(f"{source}: {name}: expected {getattr(kind, '__name__', kind)}, got {value!r}") from None
    if kind in (int, float) and result <= 0:
        raise UsageError(f"{source}: {name}: must be greater than 0, got {value!r}")
    return result


def load_settings(config_path: Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Defaults, then config.yaml (`user_defined.estate` and `runner.options.num_workers`), then ESTATE_*."""
    environ = dict(os.environ) if environ is None else environ
    path = config_path or DEFAULT_CONFIG
    raw: dict[str, Any] = {}
    if path.exists():
        try:
            doc = yaml.safe_load(path.read_text()) or {}
        except yaml.YAMLError as exc:
            raise UsageError(f"{path}: not valid YAML: {str(exc).splitlines()[0]}") from None
        if not isinstance(doc, dict):
            raise UsageError(f"{path}: expected a mapping at the top level")
        raw = dict(((doc.get("user_defined") or {}).get("estate")) or {})
        workers = ((doc.get("runner") or {}).get("options") or {}).get("num_workers")
        if workers is not None:
            raw["workers"] = workers
    elif config_path is not None:
        raise UsageError(f"{config_path}: no such configuration file")
    kinds = {f.name: f.type for f in fields(Settings)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in kinds:
            raise UsageError(f"{path}: user_defined.estate.{key}: unknown setting (known: {', '.join(kinds)})")
        values[key] = value
    for key in kinds:
        env = environ.get(f"ESTATE_{key.upper()}")
        if env:
            values[key] = env
    converters: dict[str, Any] = {"inventory": Path, "matrices": Path, "output": Path, "workers": int}
    converters |= {"connect_timeout": float, "command_timeout": float, "checks": _text, "min_content": _text}
    return Settings(**{k: _coerce(k, v, converters[k], str(path)) for k, v in values.items()})
