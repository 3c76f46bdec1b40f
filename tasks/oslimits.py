"""The process's open-file limit: a run holds a socket per connection, a lab a listener per device."""

from __future__ import annotations

import resource


def raise_open_files_limit() -> int:
    """The soft open-file limit raised to the hard one; the soft limit now. Each connection holds a socket, and a
    run's journal, logs, templates and workbook hold more: 1,000 workers need more than the usual 1,024."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and (hard == resource.RLIM_INFINITY or soft < hard):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        soft = hard
    return soft
