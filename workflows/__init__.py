"""Workflows: one module per run (audit, ...), the CLI, settings, inventory and processors."""
