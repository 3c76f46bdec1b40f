"""One function run in a forked child process while the parent goes on (issue 12): the run's workbook is written
beside its other reports, on the other core, instead of after them.

The child is a fork, so it sees the parent's objects as they are at that moment (the run's result, read only) and
nothing is pickled on the way in; what the function returns, or the exception it raised, comes back through a
pipe and `Beside.result()` returns or raises it as the call in the parent would have. A child that dies without an
answer (killed) is a RuntimeError naming its exit code. With `fork=False` the function simply runs in the parent.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from workflows.spread import died


class Beside:
    """`fn(*args, **kwargs)`, started now: in a forked child when `fork`, else at once in this process."""

    def __init__(self, fn: Callable[..., Any], *args: Any, fork: bool = True, **kwargs: Any) -> None:
        self._name = getattr(fn, "__name__", "function")
        self._outcome: Any = None
        self._process: Any = None  # multiprocessing's fork Process (its type is private to multiprocessing)
        if not fork:
            try:
                self._outcome = fn(*args, **kwargs)
            except Exception as exc:  # raised by result(), as from the child
                self._outcome = exc
            return
        context = multiprocessing.get_context("fork")
        self._reader, writer = context.Pipe(duplex=False)
        self._process = context.Process(target=_child, args=(writer, fn, args, kwargs), daemon=True)
        self._process.start()
        writer.close()

    def result(self) -> Any:
        """What the function returned; its exception raised here. Waits for the child."""
        outcome = self._outcome
        if self._process is not None:
            try:
                outcome = self._reader.recv()
            except EOFError:
                self._process.join()
                raise RuntimeError(f"{self._name}: {died(self._process.exitcode)}") from None
            finally:
                self._reader.close()
            self._process.join()
            self._process = None
            self._outcome = outcome
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


def _child(writer: Connection, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    try:
        outcome: Any = fn(*args, **kwargs)
    except BaseException as exc:
        outcome = exc
    try:
        writer.send(outcome)
    except Exception:  # an exception (or result) that does not pickle: its type and words
        writer.send(RuntimeError(f"{type(outcome).__name__}: {outcome}"))
    writer.close()
