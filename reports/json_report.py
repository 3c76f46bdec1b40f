"""results.json: the run as data, in the shape architecture.md §6 fixes, written atomically."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reports.runfolder import atomic_write_text
from reports.text import natural_key
from tasks.models import RunResult


def results_dict(result: RunResult) -> dict[str, Any]:
    """`result.to_dict()` with hosts in natural name order, so the file is the same for the same run."""
    data = result.to_dict()
    hosts: dict[str, Any] = data["hosts"]
    data["hosts"] = {name: hosts[name] for name in sorted(hosts, key=natural_key)}
    return data


def write_results_json(result: RunResult, path: Path) -> None:
    """Write `result` to `path` as indented UTF-8 JSON (values JSON cannot hold are written as text)."""
    text = json.dumps(results_dict(result), indent=2, ensure_ascii=False, default=str)
    atomic_write_text(path, text + "\n")
