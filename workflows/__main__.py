"""`python -m workflows` is the `estate` command."""

from workflows.command import main

main()
