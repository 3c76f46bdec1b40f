"""Modules a dependency imports that a run seldom uses, imported when first used instead (issue 12).

paramiko imports invoke when it is imported (`paramiko.config`), and invoke imports asyncio and unittest.mock:
~0.1 s of every run's start, on the one core the start uses, for the one thing paramiko uses it for, running the
command of an ssh_config `Match exec` line. `defer("invoke")` puts a stand-in in its place until then: `import
invoke` gives the stand-in, and the first attribute asked of it imports invoke itself and answers from it, so a
`Match exec` runs as before.

The standard library's `importlib.util.LazyLoader` cannot be used for this on Python 3.11: the import system reads
a module's `__spec__` each time it is imported again, which makes a lazy module load at once.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
import types
from typing import Any

_lock = threading.Lock()


class _StandIn(types.ModuleType):
    """Takes a module's place in sys.modules until an attribute it does not have is asked for."""

    def __getattr__(self, name: str) -> Any:  # only for what the stand-in itself does not have
        return getattr(_imported(self.__name__), name)


def _imported(name: str) -> types.ModuleType:
    with _lock:
        if isinstance(sys.modules.get(name), _StandIn):
            del sys.modules[name]
        return importlib.import_module(name)


def defer(name: str) -> None:
    """Put a stand-in for the installed module `name` in sys.modules, unless it is imported already or absent."""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None:  # not installed: its importer's ImportError stays as it was
        return
    stand_in = _StandIn(name)
    stand_in.__spec__ = spec
    sys.modules[name] = stand_in
