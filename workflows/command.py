"""The `estate` command (and `python -m workflows`): `workflows.cli.main()` with the process's arguments, its exit
code the process's.

Its modules are imported with the garbage collector paused and then frozen (`workflows.heap`): they live as long
as the process. Before the interpreter exits, everything left is frozen as well: the shutdown would otherwise run
full collections over all a run leaves (its hosts' records, the inventory, the modules), 0.3-0.45 s after a
1,000-device run for nothing, since the process ends. Objects are still freed, files closed and exit handlers run
as usual.
"""

from __future__ import annotations

import gc
import sys
from typing import NoReturn

from workflows.deferred import defer
from workflows.heap import kept_for_the_run


def main() -> NoReturn:
    defer("invoke")  # paramiko's, for ssh_config `Match exec` only (workflows.deferred)
    with kept_for_the_run():
        from workflows.cli import main as run_command
    code = run_command()
    gc.freeze()
    sys.exit(code)
