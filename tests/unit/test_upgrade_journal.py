"""The upgrade journal read back: finished units, units that never ended, and the job marks they journalled."""

from __future__ import annotations

from pathlib import Path

import pytest

from tasks.upgrade.journal import FINISHED, JOB_MARK, STARTED, StepJournal, UnitState, read_step_journal


def test_a_unit_keeps_its_job_mark_until_it_ends_even_when_started_again(tmp_path: Path) -> None:
    path = tmp_path / "upgrade-journal.jsonl"
    journal = StepJournal(path, fsync=False)
    journal.write("fw1", 0, STARTED, at="t0")
    journal.write("fw1", 0, JOB_MARK, newest=12)
    journal.write("fw1", 3, STARTED, at="t1")
    journal.write("fw1", 3, JOB_MARK, newest=13)
    journal.write("fw1", 3, FINISHED, at="t2", result="OK", message="install job 13 FIN OK")
    assert read_step_journal(path) == {
        ("fw1", 0): UnitState("t0", job_mark=12),
        ("fw1", 3): UnitState("t1", "t2", "OK", "install job 13 FIN OK"),
    }
    journal.write("fw1", 0, STARTED, at="t3")  # a --resume takes the unit again: the mark still finds its job
    assert read_step_journal(path)[("fw1", 0)] == UnitState("t3", job_mark=12)
    journal.write("fw1", 0, FINISHED, at="t4", result="OK")
    journal.write("fw1", 0, STARTED, at="t5")
    assert read_step_journal(path)[("fw1", 0)] == UnitState("t5")


def test_a_last_line_cut_short_is_ignored_an_earlier_one_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "upgrade-journal.jsonl"
    path.write_text('{"device": "fw1", "step": 0, "event": "started", "at": "t0"}\n{"device": "fw1", "st')
    assert read_step_journal(path) == {("fw1", 0): UnitState("t0")}
    mark_without_its_id = '{"device": "fw1", "step": 0, "event": "job-mark"}'
    path.write_text(mark_without_its_id + '\n{"device": "fw1", "step": 0, "event": "started"}\n')
    with pytest.raises(ValueError, match="line 1 is not a journal entry"):
        read_step_journal(path)
