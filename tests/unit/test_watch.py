"""tasks/watch.py: a pager left on is answered with one key per pager prompt, however its reads come back."""

from __future__ import annotations

from typing import Any

from tasks.retry import Deadline
from tasks.watch import PAGER_KEY, SessionWatch, watch_session


class _Channel:
    """netmiko's channel as the watch sees it: reads follow a script ("" = nothing arrived yet), writes are kept."""

    def __init__(self, reads: list[str]) -> None:
        self._reads = list(reads)
        self.writes: list[str] = []

    def read_channel(self) -> str:
        return self._reads.pop(0) if self._reads else ""

    def write_channel(self, text: str) -> None:
        self.writes.append(text)


def test_each_pager_prompt_gets_one_key_even_when_reads_find_nothing_before_the_next_page() -> None:
    """A read that returns at once with nothing (a fast device's next page not there yet, or a read that does not
    wait) must not press the key again: a second key would page past the next prompt or reach the CLI as input."""
    reads = [
        "show interfaces\nline 1\nline 2\n --More-- ",
        "",
        "",
        "",
        "line 3\nline 4\n --More-- ",
        "",
        "",
        "line 5\nfw01# ",
    ]
    channel = _Channel(reads)
    connection: Any = type("Connection", (), {})()
    connection.channel = channel
    connection.base_prompt = "fw01"
    watch = SessionWatch(Deadline(0), page_wait_s=5.0)
    watch_session(connection, watch)
    text = connection.channel.read_channel()
    assert channel.writes == [PAGER_KEY, PAGER_KEY]  # two pager prompts, two keys
    assert "line 1" in text and "line 5" in text and text.rstrip().endswith("fw01#") and "More" not in text
