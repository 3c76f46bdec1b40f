"""bench/bench_audit.py's pure helpers: the estate split over lab processes, the merged inventory, the ratios."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "bench_audit.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_audit_script", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def devices_of(estate: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        device["name"]: dict(device, customer=customer, site=site)
        for customer, body in estate["customers"].items()
        for site, place in body["sites"].items()
        for device in place["devices"]
    }


def test_slices_of_the_estate_partition_the_whole_one(bench: ModuleType) -> None:
    whole = devices_of(bench.make_estate(50, 200))
    parts = [devices_of(bench.make_estate(50, 200, slice_index=k, slices=3)) for k in range(3)]
    assert sum(len(part) for part in parts) == len(whole) == 50
    merged = {name: device for part in parts for name, device in part.items()}
    assert merged == whole


def test_lab_inventories_merge_file_by_file(bench: ModuleType, tmp_path: Path) -> None:
    for k, names in enumerate((["fw0", "fw2"], ["fw1"])):
        folder = tmp_path / f"inventory-{k}"
        (folder / "acme").mkdir(parents=True)
        (folder / "groups.yaml").write_text(yaml.safe_dump({"paloalto_panos": {"platform": "paloalto_panos"}}))
        hosts = {name: {"hostname": "127.0.0.1", "port": 2000 + int(name[-1])} for name in names}
        (folder / "acme" / "hosts.yaml").write_text(yaml.safe_dump(hosts))
    out = tmp_path / "inventory"
    bench.merge_inventories([tmp_path / "inventory-0", tmp_path / "inventory-1"], out)
    assert sorted(yaml.safe_load((out / "acme" / "hosts.yaml").read_text())) == ["fw0", "fw1", "fw2"]
    assert yaml.safe_load((out / "groups.yaml").read_text()) == {"paloalto_panos": {"platform": "paloalto_panos"}}


def test_ratios_are_estate_over_the_other_client(bench: ModuleType) -> None:
    estate = {"devices_per_s": 50.0, "client_cpu_ms_per_device": 20.0, "lab_cpu_ms_per_device": 5.0, "peak_rss_mb": 0}
    other = {"devices_per_s": 5.0, "client_cpu_ms_per_device": 40.0, "lab_cpu_ms_per_device": 0, "peak_rss_mb": 60}
    assert bench.ratios(estate, other) == {
        "devices_per_s": 10.0,
        "client_cpu_ms_per_device": 0.5,
        "lab_cpu_ms_per_device": None,
        "peak_rss_mb": 0.0,
    }


def test_the_tree_memory_counts_a_forked_childs_shared_pages_once_in_pss(bench: ModuleType) -> None:
    """A process holding 64 MB forks a child that shares them: the sum of RSS counts them twice, PSS once."""
    import subprocess
    import time

    script = (
        "import os, sys, time\n"
        "held = b'x' * (64 << 20)\n"
        "if os.fork() == 0:\n"
        "    time.sleep(30)\n"
        "    os._exit(0)\n"
        "print('forked', flush=True)\n"
        "time.sleep(30)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "forked"
        time.sleep(0.2)
        pss, rss = (kib / 1024 for kib in bench.tree_memory_kib(proc.pid))
        assert rss >= 2 * 64  # the 64 MB in each process
        assert 64 <= pss <= rss - 50  # once in all, split between the two
    finally:
        for child in bench._children(proc.pid):
            os.kill(child, 9)
        proc.kill()
        proc.wait()
