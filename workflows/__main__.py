"""`python -m workflows` is the `estate` command."""

from workflows.cli import entry

entry()
