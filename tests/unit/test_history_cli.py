"""`estate history` and the `history.url` setting: the listing, its filters, JSON, and bad URLs (exit 3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.history_cases import fill, three_compliance_runs
from workflows.cli import main
from workflows.history.store import HistoryStore
from workflows.settings import load_settings


@pytest.fixture
def out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A run folders' root whose default history holds the three compliance runs and one audit."""
    monkeypatch.delenv("ESTATE_HISTORY_URL", raising=False)
    root = tmp_path / "output"
    with HistoryStore(f"sqlite:///{root / 'history.sqlite'}") as store:
        fill(store, three_compliance_runs(), root)
    return root


def history(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["history", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_history_lists_runs_newest_first(out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, text, _ = history(capsys, "--out", str(out))
    assert code == 0
    order = [text.index(run_id) for run_id in ("r4-compliance", "r3-compliance", "r2-audit", "r1-compliance")]
    assert order == sorted(order)
    assert "4 runs, newest first" in text and "acme, globex" in text and "2026-11-04 10:00:00" in text


def test_history_filters_and_json(out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, text, _ = history(capsys, "--out", str(out), "--customer", "globex", "--json")
    assert code == 0
    assert [run["run_id"] for run in json.loads(text)] == ["r4-compliance", "r1-compliance"]
    code, text, _ = history(capsys, "--out", str(out), "--command", "compliance", "--limit", "1", "--json")
    runs = json.loads(text)
    assert [r["run_id"] for r in runs] == ["r4-compliance"]
    assert runs[0]["counts"]["FAIL"] == 1 and runs[0]["devices"] == 4 and runs[0]["run_dir"].endswith("r4-compliance")


def test_history_of_an_empty_output_says_so_and_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, text, _ = history(capsys, "--out", str(tmp_path / "none"))
    assert code == 0 and "no recorded runs" in text
    assert not (tmp_path / "none").exists()


def test_history_url_from_the_environment(
    out: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ESTATE_HISTORY_URL", f"sqlite:///{out / 'history.sqlite'}")
    code, text, _ = history(capsys, "--out", str(out.parent / "elsewhere"), "--json")
    assert code == 0 and len(json.loads(text)) == 4


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--limit", "0"], None, "history --limit: must be 1 or more, got 0"),
        ([], "mysql://estate:sekrit@db/estate", "ESTATE_HISTORY_URL (environment): expected sqlite:///PATH"),
        ([], "off", "history: off"),
        ([], "postgresql+nodriver://estate:sekrit@db/estate", "estate:***@db"),
    ],
)
def test_bad_history_is_exit_3_without_the_password(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    env: str | None,
    message: str,
) -> None:
    if env:
        monkeypatch.setenv("ESTATE_HISTORY_URL", env)
    code, _, err = history(capsys, "--out", str(tmp_path), *args)
    assert code == 3 and message in err, err
    assert "sekrit" not in err


def test_history_url_in_config_yaml(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("user_defined:\n  estate:\n    history:\n      url: sqlite:////srv/estate/h.sqlite\n")
    assert load_settings(config, environ={}).history_url == "sqlite:////srv/estate/h.sqlite"
    assert load_settings(config, environ={"ESTATE_HISTORY_URL": "off"}).history_url == "off"
    config.write_text("user_defined:\n  estate:\n    history:\n      uri: x\n")
    with pytest.raises(Exception, match=r"config.yaml:4: user_defined.estate.history.uri: unknown setting"):
        load_settings(config, environ={})
    assert load_settings(None, environ={}).history_url is None
