"""The upgrade's Nornir runner: safety as scheduling, not as if-statements in tasks.

Sites run side by side (up to `num_workers` at once). Within a site the devices go wave by wave (the waves of
`tasks.checks.upgrade_steps.upgrade_waves`: at most `--max-per-site` devices per wave, the HA members of a site
one at a time, the serving peer last); a wave starts when the one before it has ended. After a wave in which
a device failed, the site stops: its later devices are run with their name in `stopped` (the task then only
writes them NOT REACHED, contacting nothing). Devices without a wave (skipped) run at once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor

from nornir.core.inventory import Host
from nornir.core.task import AggregatedResult, MultiResult, Task

log = logging.getLogger(__name__)


class SiteWaveRunner:
    """Runs a task site by site, wave by wave; a site stops after the wave of its first failed device."""

    def __init__(
        self,
        num_workers: int,
        waves: Mapping[str, int | None],
        failed: Callable[[MultiResult], bool],
        stopped: dict[str, str],
    ) -> None:
        self.num_workers = num_workers
        self.waves = waves
        self.failed = failed
        self.stopped = stopped  # {device: why it is not reached}, read by the task
        self._lock = threading.Lock()

    def run(self, task: Task, hosts: list[Host]) -> AggregatedResult:
        result = AggregatedResult(task.name)
        sites: dict[tuple[str, str], list[Host]] = {}
        for host in hosts:
            sites.setdefault((str(host.data.get("customer")), str(host.data.get("site"))), []).append(host)

        def store(host: Host, outcome: MultiResult) -> None:
            with self._lock:
                result[host.name] = outcome

        def run_site(members: list[Host]) -> None:
            waves: dict[int, list[Host]] = {}
            for host in members:
                wave = self.waves.get(host.name)
                if wave is None:
                    store(host, task.copy().start(host))
                else:
                    waves.setdefault(wave, []).append(host)
            failed: list[str] = []
            for wave in sorted(waves):
                group = waves[wave]
                if failed:
                    for host in group:
                        with self._lock:
                            self.stopped[host.name] = f"not reached: {failed[0]} failed at this site"
                        store(host, task.copy().start(host))
                    continue
                with ThreadPoolExecutor(len(group)) as pool:
                    outcomes = list(pool.map(lambda h: (h, task.copy().start(h)), group))
                for host, outcome in outcomes:
                    store(host, outcome)
                    if self.failed(outcome):
                        failed.append(host.name)
                if failed:
                    log.warning("site stops after %s failed", ", ".join(failed), extra={"host": failed[0]})

        with ThreadPoolExecutor(max(1, min(self.num_workers, len(sites)))) as pool:
            for done in [pool.submit(run_site, members) for members in sites.values()]:
                done.result()
        return result
