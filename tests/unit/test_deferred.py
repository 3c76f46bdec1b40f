"""workflows/deferred.py: a module paramiko imports at once is imported when first used, and works as before."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CODE = """
import sys
from workflows.deferred import defer
defer("invoke")
import paramiko
print(sorted(m for m in ("invoke.context", "asyncio", "unittest.mock") if m in sys.modules))
config = paramiko.SSHConfig.from_text('Match exec "true"\\n    User matched\\nHost *\\n    User other\\n')
print(config.lookup("fw01")["user"])
"""


def test_paramiko_imports_invoke_only_to_run_a_match_exec() -> None:
    ran = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, check=True, cwd=ROOT)
    assert ran.stdout.splitlines() == ["[]", "matched"]


def test_a_module_imported_already_or_not_installed_is_left_as_it_is() -> None:
    code = (
        "import sys, json; from workflows.deferred import defer; defer('json'); defer('no_such_module_here'); "
        "print(sys.modules['json'] is json, 'no_such_module_here' in sys.modules)"
    )
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert ran.stdout.split() == ["True", "False"]
