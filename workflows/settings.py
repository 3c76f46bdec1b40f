"""estate's settings: a default for each, a config.yaml key, and an ESTATE_<KEY> environment override.

config.yaml is read by `tasks.yamlfile`, so a key written twice is refused and every error is one `UsageError`
line naming the file, the line and the key (`config.yaml:12: user_defined.estate.workers: ...`); an error in an
environment override names the variable instead.
"""

from __future__ import annotations

import inspect
import os
import string
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from nornir.core.plugins.runners import RunnersPluginRegister

from tasks.checks.postupgrade import Thresholds
from tasks.errors import UsageError
from tasks.models.upgrade import IMAGE_FIELDS, IMAGE_PROTOCOLS, ImageServer
from tasks.yamlfile import YamlDocument, YamlError, read_yaml
from workflows.history.url import check_url
from workflows.setting_values import (
    MAX_PROCESSES,
    _coerce,
    _content,
    _flag,
    _host_keys,
    _text,
    check_output,
    check_processes,
    check_workers,
)

DEFAULT_CONFIG = Path("config.yaml")
DEFAULT_RUNNER = "threaded"


@dataclass(frozen=True)
class Runner:
    """The Nornir runner plugin (`runner.plugin` in config.yaml) and its options besides `num_workers`."""

    plugin: str = DEFAULT_RUNNER
    options: tuple[tuple[str, Any], ...] = ()


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, as a container or `taskset` limits it), 1 to
    MAX_PROCESSES: the default number of worker processes."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_PROCESSES))


@dataclass(frozen=True)
class Settings:
    """What a run needs to know besides its command-line selection."""

    inventory: Path = Path("inventory")
    matrices: Path = Path("matrices")
    output: Path = Path("output")
    workers: int = 200  # parallel devices in all, whatever the processes
    # worker processes a run's hosts are spread over (workflows.spread), each with its share of the workers and
    # of the logins: one process is GIL-bound near one core, so the default is the cores this process may use.
    # 1: the whole run in this process
    processes: int = field(default_factory=lambda: usable_cores())
    connect_timeout: float = 10.0
    command_timeout: float = 30.0
    # logins in progress at once (TCP connect, SSH banner, key exchange, authentication), whatever the workers:
    # spares the customers' TACACS/RADIUS servers, and keeps a burst of handshakes from outlasting the banner timeout
    max_concurrent_logins: int = 16
    # transient connection failures (refused, reset, no SSH banner, session limit) retried this many times, after
    # waits from retry_backoff_s doubling, with jitter (tasks.retry); never an authentication failure or a hang
    retries: int = 2
    retry_backoff_s: float = 1.0
    # the bound on one device's whole task, logins and retries included (tasks.retry.Deadline); 0: none. The
    # upgrade lifts it (its jobs and reboots have bounds of their own)
    host_timeout_s: float = 600.0
    # SSH host keys against inventory/<customer>/known_hosts (tasks.hostkeys): `tofu` records a device's first
    # key, `strict` refuses a key not recorded; a changed key is an ERROR in both
    host_keys: str = "tofu"
    checks: str = "all"  # pre-upgrade readiness checks: `all`, names, `!name` (workflows.selection.select_checks)
    min_content: str | None = None  # your policy: lowest Apps & Threats content before a PAN-OS upgrade
    # `upgrade.max_preupgrade_age_h`: the oldest pre-upgrade run folder `estate upgrade` starts from, in hours
    max_preupgrade_age_h: float = 24.0
    # `upgrade.poll_s`, `.job_timeout_s`, `.reboot_timeout_s`: how an executed upgrade waits (tasks.upgrade.session)
    upgrade_poll_s: float = 10.0
    upgrade_job_timeout_s: float = 3600.0
    upgrade_reboot_timeout_s: float = 1800.0
    # `upgrade.image_server` and `upgrade.image_servers` (per customer, resolved over it): where devices that cannot
    # download their image themselves fetch it from; None: not configured (such a device's install fails)
    image_server: ImageServer | None = None
    image_servers: tuple[tuple[str, ImageServer], ...] = ()
    # `backup.root`: where the per-customer backup repositories live; `backup.remote`: where they are pushed
    # after each commit (a URL or path; `{customer}` is replaced by the customer), None = no push
    backup_root: Path = Path("backups")
    backup_remote: str | None = None
    # `history.url`: the run history's database URL; None = sqlite:///<output>/history.sqlite (workflows.history)
    history_url: str | None = None
    compliance_rules: Path = Path("compliance")  # `compliance.rules`: the shipped rule files (--rules overrides)
    # `compliance.max_backup_age_h`: a device's configuration comes from its newest backup when younger than this
    compliance_max_backup_age_h: float = 24.0
    # `session_log`: netmiko's session log of each device in <run folder>/sessions/<device>.log, redacted
    # (tasks.session_log); off by default: a transcript is for debugging a device, not for every run
    session_log: bool = False
    runner: Runner = field(default_factory=Runner)  # config.yaml `runner:` (not a user_defined.estate key)
    post_upgrade: Thresholds = field(default_factory=Thresholds)  # `post_upgrade:` mapping, ESTATE_POST_UPGRADE_<KEY>

    def override(self, **changes: Any) -> Settings:
        """A copy with the non-None `changes` applied (CLI flags win over config and environment)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def image_server_for(self, customer: str) -> ImageServer | None:
        """The image server of `customer`: its `upgrade.image_servers` entry, else `upgrade.image_server`.

        >>> s = Settings(image_server=ImageServer("192.0.2.1"), image_servers=(("acme", ImageServer("192.0.2.9")),))
        >>> s.image_server_for("acme").address, s.image_server_for("other").address
        ('192.0.2.9', '192.0.2.1')
        """
        return dict(self.image_servers).get(customer, self.image_server)

    def nornir_runner(self) -> dict[str, Any]:
        """The `runner` argument of InitNornir: the configured plugin, its options, and `workers` as num_workers.

        >>> Settings(workers=5).nornir_runner()
        {'plugin': 'threaded', 'options': {'num_workers': 5}}
        >>> Settings(runner=Runner("serial")).nornir_runner()
        {'plugin': 'serial', 'options': {}}
        """
        options = dict(self.runner.options)
        if "num_workers" in _runner_parameters(self.runner.plugin):
            options["num_workers"] = self.workers
        return {"plugin": self.runner.plugin, "options": options}


# Settings kept in a section of `user_defined.estate` (section, key): the field; env ESTATE_<SECTION>_<KEY>.
_SECTIONED = {
    ("upgrade", "max_preupgrade_age_h"): "max_preupgrade_age_h",
    ("upgrade", "poll_s"): "upgrade_poll_s",
    ("upgrade", "job_timeout_s"): "upgrade_job_timeout_s",
    ("upgrade", "reboot_timeout_s"): "upgrade_reboot_timeout_s",
    ("backup", "root"): "backup_root",
    ("backup", "remote"): "backup_remote",
    ("history", "url"): "history_url",
    ("compliance", "rules"): "compliance_rules",
    ("compliance", "max_backup_age_h"): "compliance_max_backup_age_h",
}
IMAGE_SERVER, IMAGE_SERVERS = "image_server", "image_servers"  # mappings in `upgrade:`, read by _image_servers
_IMAGE_KEYS = ("address", "protocol", "file")  # ImageServer's fields; env ESTATE_UPGRADE_IMAGE_SERVER_<KEY>
POST_UPGRADE = "post_upgrade"  # a mapping of thresholds of its own (`_thresholds`), ESTATE_POST_UPGRADE_<KEY>
_THRESHOLD_KEYS = tuple(f.name for f in fields(Thresholds))
# The top-level `user_defined.estate` keys, each with an ESTATE_<KEY> environment override.
_SETTING_KEYS = tuple(
    f.name
    for f in fields(Settings)
    if f.name not in ("runner", POST_UPGRADE, IMAGE_SERVER, IMAGE_SERVERS) and f.name not in _SECTIONED.values()
)
_SECTIONS = tuple(dict.fromkeys(section for section, _ in _SECTIONED))


_CONVERTERS: dict[str, Any] = {"inventory": Path, "matrices": Path, "output": Path, "workers": int}
_CONVERTERS |= {"max_concurrent_logins": int, "processes": int}
_CONVERTERS |= {"connect_timeout": float, "command_timeout": float, "checks": _text, "min_content": _content}
_CONVERTERS |= {"max_preupgrade_age_h": float, "upgrade_poll_s": float, "upgrade_job_timeout_s": float}
_CONVERTERS |= {"upgrade_reboot_timeout_s": float}
_CONVERTERS |= {"backup_root": Path, "backup_remote": _text}
_CONVERTERS |= {"history_url": str, "host_keys": _host_keys}
_CONVERTERS |= {"compliance_rules": Path, "compliance_max_backup_age_h": float}
_ZERO_ALLOWED = {"retries", "retry_backoff_s", "host_timeout_s"}  # 0 means none; negative is still refused
_CONVERTERS |= {"retries": int, "retry_backoff_s": float, "host_timeout_s": float, "session_log": _flag}


def _registered_runners() -> list[str]:
    """The runner plugins Nornir knows (its registers share one table, so keep the classes that can `run`)."""
    RunnersPluginRegister.auto_register()
    return sorted(name for name, cls in RunnersPluginRegister.available.items() if callable(getattr(cls, "run", None)))


def _runner_parameters(plugin: str) -> set[str]:
    """The keyword options the registered runner `plugin` takes ("*" when it takes any)."""
    RunnersPluginRegister.auto_register()
    parameters = inspect.signature(RunnersPluginRegister.get_plugin(plugin)).parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return {"*"}
    return {p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}


def _mapping(doc: YamlDocument, path: tuple[str, ...]) -> dict[str, Any]:
    """The mapping at `path` in `doc` (empty when absent); UsageError naming file, line and key otherwise."""
    value: Any = doc.data or {}
    for depth, key in enumerate(path, start=1):
        value = value.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise UsageError(f"{doc.where(path[:depth])}: expected a mapping, got {type(value).__name__}")
    return dict(value)


def _runner(doc: YamlDocument) -> tuple[Runner, Any]:
    """The runner configured in `doc`, and its `num_workers` option (None when not given)."""
    section = _mapping(doc, ("runner",))
    plugin = section.get("plugin", DEFAULT_RUNNER)
    registered = _registered_runners()
    if not isinstance(plugin, str) or plugin not in registered:
        where = doc.where(("runner", "plugin"))
        raise UsageError(f"{where}: unknown runner {plugin!r} (registered: {', '.join(registered)})")
    options = dict(_mapping(doc, ("runner", "options")))
    accepted = _runner_parameters(plugin)
    for key in options:
        if "*" not in accepted and key not in accepted:
            known = ", ".join(sorted(accepted)) or "none"
            raise UsageError(f"{doc.where(('runner', 'options', key))}: not an option of runner {plugin!r} ({known})")
    workers = options.pop("num_workers", None)
    return Runner(plugin, tuple(sorted(options.items()))), workers


def _percent(value: Any, where: str) -> float:
    """A threshold: a number of percent from 0 to 100; UsageError naming `where` otherwise."""
    if isinstance(value, (bool, dict, list)):
        number = None
    else:
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = None
    if number is None or not 0 <= number <= 100:
        raise UsageError(f"{where}: expected a percentage from 0 to 100, got {value!r}")
    return number


def _thresholds(doc: YamlDocument | None, environ: dict[str, str]) -> Thresholds:
    """`user_defined.estate.post_upgrade` of `doc` over the defaults, then ESTATE_POST_UPGRADE_<KEY>; each warn
    threshold must not be above its fail threshold."""
    values: dict[str, float] = {}
    if doc is not None:
        path = ("user_defined", "estate", POST_UPGRADE)
        for key, value in _mapping(doc, path).items():
            where = doc.where((*path, key))
            if key not in _THRESHOLD_KEYS:
                raise UsageError(f"{where}: unknown threshold (known: {', '.join(_THRESHOLD_KEYS)})")
            values[key] = _percent(value, where)
    for key in _THRESHOLD_KEYS:
        variable = f"ESTATE_POST_UPGRADE_{key.upper()}"
        if environ.get(variable):
            values[key] = _percent(environ[variable], f"{variable} (environment)")
    thresholds = Thresholds(**values)
    for area in ("routes", "arp", "sessions"):
        warn, fail = thresholds.for_area(area)
        if warn > fail:
            raise UsageError(f"{POST_UPGRADE}: {area}_warn ({warn:g}) is above {area}_fail ({fail:g})")
    return thresholds


def _read_config(path: Path) -> YamlDocument:
    try:
        doc = read_yaml(path)
    except YamlError as exc:
        raise UsageError(str(exc)) from None
    if doc.data is not None and not isinstance(doc.data, dict):
        raise UsageError(f"{doc.where(())}: expected a mapping, got {type(doc.data).__name__}")
    return doc


def _read_section(doc: YamlDocument, section: str, values: dict[str, Any], sources: dict[str, str]) -> None:
    """The settings of `user_defined.estate.<section>` into `values` (UsageError on an unknown key)."""
    known = {key: name for (sec, key), name in _SECTIONED.items() if sec == section}
    for key, value in _mapping(doc, ("user_defined", "estate", section)).items():
        if section == "upgrade" and key in (IMAGE_SERVER, IMAGE_SERVERS):
            continue  # mappings of their own, read by _image_servers
        where = doc.where(("user_defined", "estate", section, key))
        if key not in known:
            names = (*known, IMAGE_SERVER, IMAGE_SERVERS) if section == "upgrade" else tuple(known)
            raise UsageError(f"{where}: unknown setting (known: {', '.join(names)})")
        sources[known[key]] = where
        values[known[key]] = _coerce(value, _CONVERTERS[known[key]], where)


def _image_value(key: str, value: Any, where: str) -> str:
    """One key of an image server, checked: the protocol estate can send, an address and a file name that are
    one word each (the device's command line splits on spaces), a file naming only {model} and {version}."""
    text = value if isinstance(value, str) else None
    if text is None and key == "address" and isinstance(value, (int, float)) and not isinstance(value, bool):
        text = str(value)
    if text is None or not text.strip() or any(c.isspace() for c in text.strip()):
        raise UsageError(f"{where}: expected one word of text, got {value!r}")
    text = text.strip()
    if key == "protocol" and text not in IMAGE_PROTOCOLS:
        raise UsageError(f"{where}: expected one of {', '.join(IMAGE_PROTOCOLS)}, got {value!r}")
    if key == "file":
        try:
            fields_named = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
        except ValueError as exc:
            raise UsageError(f"{where}: not a file name pattern ({exc}): {value!r}") from None
        unknown = sorted(fields_named - set(IMAGE_FIELDS))
        if unknown:
            raise UsageError(f"{where}: unknown placeholder {{{unknown[0]}}} (known: {{model}}, {{version}})")
        if "version" not in fields_named:
            raise UsageError(f"{where}: must hold {{version}} (each release is its own image), got {value!r}")
    return text


def _image_keys(doc: YamlDocument, path: tuple[str, ...]) -> dict[str, str]:
    """The checked keys of the image server mapping at `path` (UsageError on an unknown key or a bad value)."""
    values: dict[str, str] = {}
    for key, value in _mapping(doc, path).items():
        where = doc.where((*path, key))
        if key not in _IMAGE_KEYS:
            raise UsageError(f"{where}: unknown key (known: {', '.join(_IMAGE_KEYS)})")
        values[key] = _image_value(key, value, where)
    return values


def _image_servers(
    doc: YamlDocument | None, environ: dict[str, str]
) -> tuple[ImageServer | None, tuple[tuple[str, ImageServer], ...]]:
    """`upgrade.image_server` (then ESTATE_UPGRADE_IMAGE_SERVER_<KEY>), and each customer's entry of
    `upgrade.image_servers` over it (only the keys that differ need be given)."""
    base: dict[str, str] = {}
    where = f"{IMAGE_SERVER} in config.yaml"
    section = ("user_defined", "estate", "upgrade")
    if doc is not None:
        base = _image_keys(doc, (*section, IMAGE_SERVER))
        where = doc.where((*section, IMAGE_SERVER))
    for key in _IMAGE_KEYS:
        variable = f"ESTATE_UPGRADE_IMAGE_SERVER_{key.upper()}"
        if environ.get(variable):
            base[key] = _image_value(key, environ[variable], f"{variable} (environment)")
            where = f"{variable} (environment)"
    if base and "address" not in base:
        raise UsageError(f"{where}: no address (the server's IP address or name, as the devices reach it)")
    default = ImageServer(**base) if base else None
    if doc is None:
        return default, ()
    customers: list[tuple[str, ImageServer]] = []
    for customer in _mapping(doc, (*section, IMAGE_SERVERS)):
        path = (*section, IMAGE_SERVERS, str(customer))
        entry = _image_keys(doc, path)
        if default is None and "address" not in entry:
            raise UsageError(f"{doc.where(path)}: no address, and no upgrade.{IMAGE_SERVER} to take it from")
        customers.append((str(customer), replace(default, **entry) if default else ImageServer(**entry)))
    return default, tuple(customers)


def load_settings(config_path: Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Defaults, then config.yaml (`user_defined.estate`, `runner`), then ESTATE_* environment variables.

    A bad value is one UsageError naming where it came from: the file, line and key, or the variable.
    """
    environ = dict(os.environ) if environ is None else environ
    path = config_path or DEFAULT_CONFIG
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}  # setting -> where its value came from, for the range checks below
    runner = Runner()
    doc = None
    if config_path is not None or path.exists():
        doc = _read_config(path)
        runner, workers = _runner(doc)
        if workers is not None:
            sources["workers"] = doc.where(("runner", "options", "num_workers"))
            values["workers"] = _coerce(workers, int, sources["workers"])
        estate = _mapping(doc, ("user_defined", "estate"))
        for key, value in estate.items():
            where = doc.where(("user_defined", "estate", key))
            if key == POST_UPGRADE:
                continue  # a mapping of its own, read by _thresholds
            if key in _SECTIONS:
                _read_section(doc, key, values, sources)
                continue
            if key not in _SETTING_KEYS:
                known = ", ".join((*_SETTING_KEYS, *_SECTIONS, POST_UPGRADE))
                raise UsageError(f"{where}: unknown setting (known: {known})")
            sources[key] = where
            values[key] = _coerce(value, _CONVERTERS[key], where, key in _ZERO_ALLOWED)
    variables = {key: f"ESTATE_{key.upper()}" for key in _SETTING_KEYS}
    variables |= {name: f"ESTATE_{section.upper()}_{key.upper()}" for (section, key), name in _SECTIONED.items()}
    for key, variable in variables.items():
        env = environ.get(variable)
        if env:
            sources[key] = f"{variable} (environment)"
            values[key] = _coerce(env, _CONVERTERS[key], sources[key], key in _ZERO_ALLOWED)
    if "workers" in values:
        check_workers(values["workers"], sources["workers"])
    if "processes" in values:
        check_processes(values["processes"], sources["processes"])
    if "output" in values:
        check_output(values["output"], sources["output"])
    if "history_url" in values:
        try:
            check_url(values["history_url"], sources["history_url"])
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    if "backup_root" in values:
        check_output(values["backup_root"], sources["backup_root"])
    image_server, image_servers = _image_servers(doc, environ)
    return Settings(
        runner=runner,
        post_upgrade=_thresholds(doc, environ),
        image_server=image_server,
        image_servers=image_servers,
        **values,
    )
