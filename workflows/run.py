"""One run, whatever its command: validate every input first, then run a task on each host and write the run folder."""

from __future__ import annotations

import gc
import logging
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext, suppress
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from nornir.core import Nornir
from nornir.core.plugins.runners import RunnersPluginRegister

from reports.json_report import write_results_json
from reports.junit import write_junit
from reports.runfolder import REPORT_HTML, REPORT_XLSX, Journal, make_run_dir, run_id
from reports.sheets import SheetSpec
from reports.summary import SummaryData
from tasks.errors import UsageError
from tasks.matrix import Matrix, Waiver, load_matrix, load_waivers
from tasks.models import HostRecord, RunInfo, RunResult, Verdict
from tasks.platforms import get_platform
from tasks.session_log import SESSION_LOGS
from workflows.beside import Beside
from workflows.heap import kept_for_the_run, out_of_collections
from workflows.history.record import prepare_recording, record_run
from workflows.inventory import set_credentials
from workflows.logs import run_log
from workflows.processors import ProgressBar, RecordCollector
from workflows.resume import SavedRun, finished_hosts, holding, read_saved, save
from workflows.selection import Selection, init_nornir, select
from workflows.settings import Settings
from workflows.spread import Job, partition, per_process, process_count, run_spread, thread_switching

log = logging.getLogger(__name__)

# §5: 0 clean, 1 a device FAILs, 2 a device could not be checked, 3 bad input (nothing ran), 4 estate itself failed.
EXIT_OK, EXIT_FAIL, EXIT_ERROR, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3, 4


@dataclass(frozen=True)
class RunRequest:
    """What the engineer asked for: settings, which hosts, which target releases."""

    settings: Settings
    selection: Selection = field(default_factory=Selection)
    targets: tuple[str, ...] = ()
    progress: bool = False


@dataclass(frozen=True)
class RunInputs:
    """Everything loaded and validated before the first connection is made."""

    nornir: Nornir
    matrices: dict[str, Matrix]
    waivers: dict[str, list[Waiver]]
    targets: dict[str, str]
    today: date


@dataclass(frozen=True)
class RunOutcome:
    """A finished run: its results, where they were written, and the exit code they call for.

    `go_no_go` is set when the run decides an upgrade (a pre-upgrade, or a merge of its shards): its report
    and the terminal summary then show the GO / NO-GO of `tasks.checks.decision`.
    """

    result: RunResult
    run_dir: Path
    exit_code: int
    go_no_go: bool = False


def parse_targets(values: tuple[str, ...], matrices: dict[str, Matrix]) -> dict[str, str]:
    """`--target` values as {platform: version}: `platform=version`, or a bare version for the platform it names.

    A bare version belongs to the platform whose matrix lists its feature release.
    """
    targets: dict[str, str] = {}
    for value in values:
        platform, sep, release = value.rpartition("=")
        if sep:
            try:
                get_platform(platform)
            except ValueError as exc:
                raise UsageError(f"--target {value}: {exc}") from None
            if platform not in matrices:
                raise UsageError(f"--target {value}: no selected device runs {platform}")
            candidates = [platform]
        else:
            candidates = [p for p, m in sorted(matrices.items()) if m.knows_release(release)]
            if not candidates:
                raise UsageError(
                    f"--target {value}: not a release of any selected platform ({', '.join(sorted(matrices))})"
                )
            if len(candidates) > 1:
                raise UsageError(f"--target {value}: a release of {' and '.join(candidates)}; write PLATFORM={release}")
        for platform in candidates:
            if not matrices[platform].knows_release(release):
                raise UsageError(f"--target {value}: {release!r} is not a known {platform} release")
            if platform in targets and targets[platform] != release:
                raise UsageError(f"--target {value}: {platform} already targets {targets[platform]}")
            targets[platform] = release
    return targets


def prepare(request: RunRequest) -> RunInputs:
    """Load and check inventory, selection, credentials, matrices, waivers and targets; raise InputError.

    The selection is checked before credentials: `--customer nobody` says that no such customer exists, and only
    the selected customers need credentials.
    """
    settings = request.settings
    with kept_for_the_run():  # workflows.heap: all of it lives to the end of the run
        nr = select(init_nornir(settings, credentials=False), request.selection)
        if not nr.inventory.hosts:
            raise UsageError(f"{settings.inventory}: the selection matches no host")
        set_credentials(nr.inventory.hosts.values())
        platforms = sorted({h.platform or "" for h in nr.inventory.hosts.values()})
        matrices = {p: load_matrix(p, settings.matrices) for p in platforms}
        customers = sorted({h.data["customer"] for h in nr.inventory.hosts.values()})
        waivers = {c: load_waivers(settings.inventory / c / "waivers.yaml") for c in customers}
        targets = parse_targets(request.targets, matrices)
    return RunInputs(nr, matrices, waivers, targets, datetime.now(timezone.utc).date())


def _estate_version() -> str:
    try:
        return version("estate")
    except PackageNotFoundError:
        return "unknown"


def exit_code(result: RunResult) -> int:
    """§5's exit code for a finished run: 2 if any device is ERROR, else 1 if any FAIL, else 0."""
    counts = result.counts()
    if counts[Verdict.ERROR.value]:
        return EXIT_ERROR
    return EXIT_FAIL if counts[Verdict.FAIL.value] else EXIT_OK


def _target_text(targets: dict[str, str], platforms: list[str]) -> str | None:
    """RunInfo.target: the bare version when the run covers one platform, else `platform=version` pairs."""
    if not targets:
        return None
    if len(platforms) == 1:
        return targets[platforms[0]]
    return ",".join(f"{p}={v}" for p, v in sorted(targets.items()))


def new_run_dir(command: str, request: RunRequest, inputs: RunInputs, started: datetime | None = None) -> Path:
    """A new run folder for `command` over the selected hosts, named by `run_id`."""
    customers = sorted({h.data["customer"] for h in inputs.nornir.inventory.hosts.values()})
    when = started or datetime.now(timezone.utc)
    rid = run_id(when, command, customers, every_customer=request.selection.all_customers)
    return make_run_dir(request.settings.output, rid)


def execute(
    command: str,
    request: RunRequest,
    inputs: RunInputs,
    task: Callable[..., Any],
    *,
    sheets: Callable[[RunResult], Sequence[SheetSpec]] | None = None,
    go_no_go: bool = False,
    summary: Callable[[RunResult], SummaryData] | None = None,
    notes: Sequence[tuple[int, str]] = (),
    runner: Any = None,
    run_dir: Path | None = None,
    finish: Callable[[RunResult], RunResult] | None = None,
    single_process: bool = False,
    options: Mapping[str, Any] | None = None,
    resumed: Resumed | None = None,
    **task_kwargs: Any,
) -> RunOutcome:
    """Run `task` on every selected host and write report.xlsx, report.html, results.json, junit.xml and run.log.

    `sheets` adds the workflow's own sheets after the standard ones; `go_no_go` makes the Summary decide per
    site; `summary` gives the Summary's content instead; `notes` ((logging level, text)) are logged at the
    start of run.log; `runner` replaces the configured Nornir runner (the upgrade's waves); `run_dir` is a run
    folder made already (`new_run_dir`, or the folder a resumed run continues in); `finish` turns the collected
    result into the one reported, once every host is done (a backup commits then). The hosts are spread over
    `settings.processes` worker processes (`workflows.spread`) unless `single_process` is set (a task that
    leaves in this process what `finish` reads: the backup's configurations; or a run that contacts no device:
    the upgrade's dry run) or `runner` is given (the upgrade's waves decide across all hosts). `options` (the
    command's own, as text) make the run resumable (`workflows.resume`: resume.json and the run's lock);
    `resumed` continues an interrupted one in its folder: only its unfinished hosts are run. Every other
    keyword goes to the task.
    """
    selection = request.selection
    hosts = inputs.nornir.inventory.hosts
    customers = sorted({h.data["customer"] for h in hosts.values()})
    started = datetime.now(timezone.utc)
    if resumed is not None:
        run_dir = resumed.run_dir
    elif run_dir is None:
        run_dir = new_run_dir(command, request, inputs, started)
    rid = run_dir.name
    when = resumed.saved.started if resumed is not None else started.isoformat(timespec="seconds")
    if options is not None and resumed is None:
        save(run_dir, SavedRun(command, tuple(sorted(hosts)), when, request.targets, dict(options)))
    lock = holding(run_dir) if options is not None else nullcontext()
    with lock, run_log(run_dir / "run.log", rid), out_of_collections():
        info = RunInfo(
            id=rid,
            command=command,
            customers=customers,
            target=_target_text(inputs.targets, sorted(inputs.matrices)),
            started=when,
            shard=f"{selection.shard[0]}/{selection.shard[1]}" if selection.shard else None,
            estate_version=_estate_version(),
        )
        log.info(
            "%s of %d devices, %d workers, target %s",
            command,
            len(hosts),
            request.settings.workers,
            info.target,
        )
        for level, note in notes:
            log.log(level, "%s", note)
        done = dict(resumed.done) if resumed is not None else {}
        if resumed is not None:
            log.warning(
                "resumed: %d of %d hosts finished before, %d to run", len(done), len(hosts), len(hosts) - len(done)
            )
        todo = (
            inputs
            if not done
            else replace(inputs, nornir=inputs.nornir.filter(filter_func=lambda h: h.name not in done))
        )
        records = dict(done)  # a copy: `done` still counts the hosts finished before
        clock = time.monotonic()
        if todo.nornir.inventory.hosts:
            records |= _run_hosts(command, request, todo, run_dir, task, task_kwargs, runner, single_process)
        log.info("%d devices done in %.1f s", len(records) - len(done), time.monotonic() - clock)
        gc.freeze()  # and now the hosts' records (workflows.heap.out_of_collections)
        clock = time.monotonic()
        info.finished = datetime.now(timezone.utc).isoformat(timespec="seconds")
        ordered = sorted(records.values(), key=lambda r: (r.customer, r.site, r.name))
        result = RunResult(run=info, hosts=ordered)
        if finish is not None:
            result = finish(result)
        extra = sheets(result) if sheets is not None else ()
        overview = summary(result) if summary is not None else None
        write_workbook, write_html = report_writers()
        # The workbook, the longest to write, on another core while this process writes the rest (`--processes 1`:
        # here, in turn).
        workbook = Beside(
            write_workbook,
            result,
            run_dir / REPORT_XLSX,
            extra,
            go_no_go=go_no_go,
            summary=overview,
            matrices=inputs.matrices,
            fork=request.settings.processes > 1 and not single_process,
        )
        try:
            write_results_json(result, run_dir / "results.json")
            write_junit(result, run_dir / "junit.xml")
            write_html(
                result, run_dir / REPORT_HTML, extra, go_no_go=go_no_go, summary=overview, matrices=inputs.matrices
            )
        except BaseException:
            with suppress(Exception):  # the workbook's child ends (its file whole or not written) before this goes on
                workbook.result()
            raise
        workbook.result()
        record_run(request.settings, result, run_dir)  # never raises: a history it cannot reach is a WARNING
        log.info("reports written and the run recorded in %.1f s", time.monotonic() - clock)
        log.info("finished: %s", result.counts())
        return RunOutcome(result=result, run_dir=run_dir, exit_code=exit_code(result), go_no_go=go_no_go)


@dataclass(frozen=True)
class Resumed:
    """An interrupted run being resumed: its folder, what it saved before its first connection, its finished hosts."""

    run_dir: Path
    saved: SavedRun
    done: Mapping[str, HostRecord]


def resuming(request: RunRequest, run_dir: Path, command: str) -> tuple[RunRequest, Resumed]:
    """The request that resumes the interrupted `command` run in `run_dir` (its hosts and targets, this run's
    settings), and what it finished; UsageError when `run_dir` is not such a run."""
    saved = read_saved(run_dir, command)
    settings = request.settings.override(output=run_dir.parent)  # the run's own --out (its history lives there)
    resumed = replace(request, settings=settings, selection=Selection(limits=saved.hosts), targets=saved.targets)
    return resumed, Resumed(run_dir, saved, finished_hosts(run_dir, saved.hosts))


def check_resumed(inputs: RunInputs, resumed: Resumed | None) -> None:
    """Every host of the interrupted run is still in the inventory; UsageError naming one that is not."""
    if resumed is None:
        return
    missing = [name for name in resumed.saved.hosts if name not in inputs.nornir.inventory.hosts]
    if missing:
        raise UsageError(
            f"--resume {resumed.run_dir}: {len(missing)} hosts of the run are not in the inventory, e.g. {missing[0]}"
        )


def _run_hosts(
    command: str,
    request: RunRequest,
    inputs: RunInputs,
    run_dir: Path,
    task: Callable[..., Any],
    task_kwargs: dict[str, Any],
    runner: Any = None,
    single_process: bool = False,
) -> dict[str, HostRecord]:
    settings = request.settings
    hosts = inputs.nornir.inventory.hosts
    journal = Journal(run_dir / "journal.jsonl")
    keep_session_logs(inputs.nornir, run_dir if settings.session_log else None)
    show_progress = request.progress and sys.stderr.isatty()
    progress = ProgressBar(len(hosts), command) if show_progress else None

    def on_record(record: HostRecord) -> None:
        journal.append(record)
        if progress is not None:
            progress.advance(record)

    processes = 1
    if runner is None and not single_process and "num_workers" in settings.nornir_runner()["options"]:
        processes = process_count(settings.processes, settings.workers, len(hosts))
    try:
        if processes > 1:
            threads, logins = per_process(settings.workers, settings.max_concurrent_logins, processes)
            log.info("spread over %d processes: %d workers and %d logins at once each", processes, threads, logins)
            job = Job(inputs.nornir, task, command, task_kwargs, _runner(replace(settings, workers=threads)), logins)
            parts = partition(list(hosts), processes)
            # The history's preparation waits for the run's last devices (the last half-wave of workers in flight).
            last = max(0, len(hosts) - settings.workers // 2)
            return run_spread(
                job, parts, on_record, progress, meanwhile=lambda: _after_the_run(settings), meanwhile_after=last
            )
        collector = RecordCollector(on_record=on_record)
        nr = inputs.nornir.with_processors([collector])
        if runner is not None:
            nr = nr.with_runner(runner)
        with thread_switching(), progress if progress is not None else nullcontext():
            nr.run(task=task, name=command, **task_kwargs)
        return collector.records
    finally:
        journal.close()


def report_writers() -> tuple[Callable[..., None], Callable[..., None]]:
    """(write_workbook, write_html). Their modules (openpyxl, jinja2, lxml: ~0.2 s of imports) are imported when a
    run first needs them, not with this one: the start of a run, before its first connection, is one core's work
    while the other waits, whereas the end of a spread run leaves the cores room (`_after_the_run`)."""
    with kept_for_the_run():  # modules live as long as the process (workflows.heap)
        from reports.excel import write_workbook
        from reports.html import write_html
    return write_workbook, write_html


def _after_the_run(settings: Settings) -> None:
    """This process's preparations for the reports and the history, while its workers wait on their last devices."""
    report_writers()
    prepare_recording(settings)


def keep_session_logs(nr: Nornir, run_dir: Path | None) -> None:
    """Each host's session log in run_dir/sessions/<host>.log (`session_log: true`); none when run_dir is None."""
    estate = nr.config.user_defined.setdefault("estate", {})
    if run_dir is None:
        estate.pop(SESSION_LOGS, None)
        return
    hosts = nr.inventory.hosts.values()
    estate[SESSION_LOGS] = {f"{h.hostname}:{h.port or 22}": str(run_dir / "sessions" / f"{h.name}.log") for h in hosts}


def _runner(settings: Settings) -> Any:
    """The configured Nornir runner plugin, made with `settings.workers` as its num_workers."""
    spec = settings.nornir_runner()
    return RunnersPluginRegister.get_plugin(spec["plugin"])(**spec["options"])
