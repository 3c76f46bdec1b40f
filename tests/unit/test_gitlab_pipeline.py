""".gitlab-ci.yml has the pipelines issue 14 promises (parsed as YAML; `make ci-local` runs the audit ones for real).

Test; the sharded audit and its merge (with report.html); compliance per customer; backup; pre-upgrade on demand;
a manual upgrade, one per customer at a time; Pages from `estate report site`; artifacts that expire; JUnit reports;
credentials only from the CI/CD variables, never in the file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
PIPELINE = REPO / ".gitlab-ci.yml"
KEYWORDS = {"stages", "default", "variables", "workflow", "include"}  # top-level keys that are not jobs
# The jobs that run an estate command against devices, and the command each runs.
RUN_JOBS = {
    "audit": "audit",
    "compliance": "compliance",
    "backup": "backup",
    "pre-upgrade": "pre-upgrade",
    "upgrade": "upgrade",
    "onboard": "onboard",
}
SECRET_NAME = re.compile(r"PASSWORD|PASSWD|SECRET|TOKEN|USERNAME|PRIVATE_KEY", re.IGNORECASE)


@pytest.fixture(scope="module")
def pipeline() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(PIPELINE.read_text())
    return loaded


def _jobs(pipeline: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: job for name, job in pipeline.items() if name not in KEYWORDS and not name.startswith(".")}


def _script(job: dict[str, Any]) -> str:
    return "\n".join(job["script"])


def _variables(pipeline: dict[str, Any]) -> dict[str, Any]:
    """Every variable the file sets: global, per job, and per matrix entry."""
    found = dict(pipeline.get("variables") or {})
    for job in _jobs(pipeline).values():
        found |= job.get("variables") or {}
        parallel = job.get("parallel")
        if isinstance(parallel, dict):
            for entry in parallel["matrix"]:
                found |= entry
    return found


def credentials_in(pipeline: dict[str, Any]) -> list[str]:
    """The variables the file sets whose name says they hold a credential (they belong in masked CI/CD variables)."""
    return sorted(name for name in _variables(pipeline) if SECRET_NAME.search(name))


def test_every_promised_job_is_there(pipeline: dict[str, Any]) -> None:
    expected = {"test", "audit", "audit-report", "compliance", "backup", "pre-upgrade", "upgrade", "onboard", "pages"}
    jobs = _jobs(pipeline)
    assert expected <= set(jobs)
    for name, job in jobs.items():
        assert job["stage"] in pipeline["stages"], name


def test_each_run_job_runs_its_estate_command(pipeline: dict[str, Any]) -> None:
    jobs = _jobs(pipeline)
    for name, command in RUN_JOBS.items():
        assert f".venv/bin/estate {command} " in _script(jobs[name]), name


def test_the_audit_is_sharded_and_each_shard_writes_its_own_folder(pipeline: dict[str, Any]) -> None:
    audit = pipeline["audit"]
    assert isinstance(audit["parallel"], int) and audit["parallel"] >= 2
    # shards started in the same second name their run folders alike: one folder per CI_NODE_INDEX keeps them apart
    assert '--out "shards/$CI_NODE_INDEX"' in _script(audit)
    assert "shards/" in audit["artifacts"]["paths"]


def test_the_merge_takes_every_shard_and_rebuilds_report_html(pipeline: dict[str, Any]) -> None:
    merge = pipeline["audit-report"]
    assert merge["needs"] == ["audit"] and merge["when"] == "always"
    script = _script(merge)
    assert ".venv/bin/estate report merge shards/*/*/ --out output" in script
    assert ".venv/bin/estate report html output/" in script
    assert merge["rules"] == pipeline["audit"]["rules"]


def test_compliance_runs_one_job_per_customer(pipeline: dict[str, Any]) -> None:
    matrix = pipeline["compliance"]["parallel"]["matrix"]
    assert [list(entry) for entry in matrix] == [["CUSTOMER"]]
    assert all(entry["CUSTOMER"] for entry in matrix)
    assert '--customer "$CUSTOMER"' in _script(pipeline["compliance"])


def test_scheduled_and_on_demand_jobs_are_ruled_by_their_variable(pipeline: dict[str, Any]) -> None:
    for job, variable in (("audit", "AUDIT"), ("compliance", "COMPLIANCE"), ("backup", "BACKUP")):
        assert pipeline[job]["rules"] == [{"if": f'${variable} == "1"'}], job
    assert pipeline["pre-upgrade"]["rules"][0]["if"].startswith('$PRE_UPGRADE == "1"')
    assert pipeline["pre-upgrade"].get("when", "on_success") == "on_success"


def test_the_upgrade_is_manual_and_one_per_customer(pipeline: dict[str, Any]) -> None:
    upgrade = pipeline["upgrade"]
    assert upgrade["when"] == "manual"
    assert upgrade["resource_group"] == "upgrade-$CUSTOMER"
    assert upgrade["allow_failure"] is False  # a manual job may otherwise fail without turning the pipeline red
    assert '$CUSTOMER != "all"' in upgrade["rules"][0]["if"]


def test_pages_publishes_the_report_site(pipeline: dict[str, Any]) -> None:
    pages = pipeline["pages"]
    assert ".venv/bin/estate report site --out public/" in _script(pages)
    assert pages["artifacts"]["paths"] == ["public/"]
    assert {need["job"] for need in pages["needs"]} == {"audit-report", "compliance"}
    assert "$CI_DEFAULT_BRANCH" in pages["rules"][0]["if"]


def test_every_artifact_expires(pipeline: dict[str, Any]) -> None:
    with_artifacts = {name: job["artifacts"] for name, job in _jobs(pipeline).items() if "artifacts" in job}
    assert set(RUN_JOBS) | {"audit-report", "pages", "test"} <= set(with_artifacts)
    for name, artifacts in with_artifacts.items():
        assert re.fullmatch(r"\d+ (hour|day|week|month|year)s?", artifacts["expire_in"]), name


def test_every_run_and_the_tests_report_junit(pipeline: dict[str, Any]) -> None:
    jobs = _jobs(pipeline)
    for name in (*RUN_JOBS, "audit-report"):
        report = jobs[name]["artifacts"]["reports"]["junit"]
        assert report.endswith("junit.xml"), name
        paths = jobs[name]["artifacts"]["paths"]
        assert any(report.startswith(path) for path in paths), f"{name}: {report} outside its artifacts {paths}"
    assert "--junitxml=pytest-junit.xml" in jobs["test"]["variables"]["PYTEST_ADDOPTS"]
    assert jobs["test"]["artifacts"]["reports"]["junit"] == "pytest-junit.xml"


def test_no_credential_in_the_file(pipeline: dict[str, Any]) -> None:
    assert credentials_in(pipeline) == []
    text = PIPELINE.read_text()
    assert "estate-lab-pw" not in text  # the lab's default password (lab/estate.py), the one a test might paste
    assert not re.search(r"--password|://[^/\s:@]+:[^/\s@]+@", text)  # no flag or URL carrying one


def test_the_credential_check_can_fail() -> None:
    leaked = {"variables": {"ESTATE_PASSWORD": "x"}, "job": {"script": ["x"], "variables": {"GIT_TOKEN": "y"}}}
    assert credentials_in(leaked) == ["ESTATE_PASSWORD", "GIT_TOKEN"]


def test_a_shell_runner_installs_nothing(pipeline: dict[str, Any]) -> None:
    # gitlab-ci-local (shell executor) and an estate shell runner set ESTATE_VENV: no apt-get, no make install.
    (step,) = pipeline["default"]["before_script"]
    assert step.startswith('if [ -n "$ESTATE_VENV" ]; then ln -sfn "$ESTATE_VENV" .venv; else apt-get ')
    assert pipeline["variables"]["ESTATE_VENV"] == ""
    assert pipeline["variables"]["ESTATE_INVENTORY"] == "inventory"
