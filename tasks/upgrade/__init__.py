"""Performing an upgrade: the session an upgrade driver talks through, the per-step journal, and the walk of one
device's steps. Which devices go when (waves, HA order, a site stopping) is the runner's, in `workflows/`."""
