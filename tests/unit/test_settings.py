"""workflows.settings: defaults, config.yaml (read by tasks.yamlfile), ESTATE_* overrides, and the Nornir runner."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from nornir.plugins.runners import SerialRunner, ThreadedRunner

from tasks.checks.postupgrade import Thresholds
from tasks.errors import UsageError
from tasks.models.upgrade import ImageServer
from workflows.selection import init_nornir
from workflows.settings import Runner, Settings, load_settings

REPO = Path(__file__).resolve().parents[2]


def config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    return path


def error(path: Path, environ: dict[str, str] | None = None) -> str:
    with pytest.raises(UsageError) as info:
        load_settings(path, environ or {})
    message = str(info.value)
    assert "\n" not in message
    return message


def test_shipped_config_loads() -> None:
    settings = load_settings(REPO / "config.yaml", {})
    assert settings.runner == Runner("threaded")
    assert settings.nornir_runner() == {"plugin": "threaded", "options": {"num_workers": 200}}


def test_processes_default_to_the_usable_cores_then_config_then_environment(tmp_path: Path) -> None:
    assert load_settings(REPO / "config.yaml", {}).processes == min(len(os.sched_getaffinity(0)), 64)
    path = config(tmp_path, "user_defined:\n  estate:\n    processes: 3\n")
    assert load_settings(path, {}).processes == 3
    assert load_settings(path, {"ESTATE_PROCESSES": "1"}).processes == 1
    assert "must be 1 to 64, got 65" in error(path, {"ESTATE_PROCESSES": "65"})


def test_no_config_file_means_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_settings(None, {}) == Settings()


def test_runner_defaults_to_threaded_with_the_workers_setting(tmp_path: Path) -> None:
    settings = load_settings(config(tmp_path, "user_defined: {estate: {output: out}}\n"), {})
    assert settings.nornir_runner() == {"plugin": "threaded", "options": {"num_workers": 200}}


def test_num_workers_from_config_then_environment_then_flag(tmp_path: Path) -> None:
    path = config(tmp_path, "runner:\n  plugin: threaded\n  options:\n    num_workers: 7\n")
    assert load_settings(path, {}).nornir_runner()["options"] == {"num_workers": 7}
    from_env = load_settings(path, {"ESTATE_WORKERS": "9"})
    assert from_env.nornir_runner()["options"] == {"num_workers": 9}
    assert from_env.override(workers=3).nornir_runner()["options"] == {"num_workers": 3}


def test_a_runner_without_workers_gets_none(tmp_path: Path) -> None:
    settings = load_settings(config(tmp_path, "runner: {plugin: serial}\n"), {"ESTATE_WORKERS": "4"})
    assert settings.nornir_runner() == {"plugin": "serial", "options": {}}


def test_init_nornir_uses_the_configured_runner(tmp_path: Path) -> None:
    base = load_settings(config(tmp_path, "runner: {plugin: serial}\n"), {}).override(inventory=REPO / "inventory")
    assert isinstance(init_nornir(base, credentials=False).runner, SerialRunner)
    threaded = init_nornir(Settings(inventory=REPO / "inventory", workers=5), credentials=False).runner
    assert isinstance(threaded, ThreadedRunner) and threaded.num_workers == 5


def test_max_concurrent_logins_from_config_then_environment_reaches_the_connection(tmp_path: Path) -> None:
    path = config(tmp_path, "user_defined:\n  estate:\n    max_concurrent_logins: 8\n")
    assert load_settings(path, {}).max_concurrent_logins == 8
    settings = load_settings(path, {"ESTATE_MAX_CONCURRENT_LOGINS": "4"}).override(inventory=REPO / "inventory")
    assert init_nornir(settings, credentials=False).config.user_defined["estate"]["max_concurrent_logins"] == 4


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("runner:\n  plugin: turbo\n", ":2: runner.plugin: unknown runner 'turbo' (registered: serial, threaded"),
        ("runner:\n  plugin: [threaded]\n", ":2: runner.plugin: unknown runner ['threaded']"),
        ("runner:\n  options:\n    colour: red\n", ":3: runner.options.colour: not an option of runner 'threaded'"),
        ("runner:\n  options: 5\n", ":2: runner.options: expected a mapping, got int"),
        ("runner: threaded\n", ":1: runner: expected a mapping, got str"),
        ("runner:\n  options:\n    num_workers: lots\n", ":3: runner.options.num_workers: expected int, got 'lots'"),
        ("user_defined:\n  estate:\n    workers: 0\n", ":3: user_defined.estate.workers: must be greater than 0"),
        ("user_defined:\n  estate:\n    colour: red\n", ":3: user_defined.estate.colour: unknown setting"),
        ("user_defined:\n  estate:\n    output: {a: 1}\n", ":3: user_defined.estate.output: expected a path"),
        ("user_defined: [estate]\n", ":1: user_defined: expected a mapping, got list"),
        ("user_defined:\n  estate: 5\n", ":2: user_defined.estate: expected a mapping, got int"),
        ("- runner\n", ":1: (top level): expected a mapping, got list"),
        ("runner: {}\nrunner: {}\n", ":2: runner: written twice (first on line 1)"),
        (
            "user_defined:\n  estate:\n    workers: 3\n    workers: 4\n",
            ":4: user_defined.estate.workers: written twice",
        ),
        ("runner: [\n", ": not valid YAML"),
    ],
)
def test_bad_config_is_one_line_naming_file_line_and_key(tmp_path: Path, text: str, expected: str) -> None:
    path = config(tmp_path, text)
    message = error(path)
    assert message.startswith(str(path)) and expected in message, message


def test_missing_named_config_file(tmp_path: Path) -> None:
    assert error(tmp_path / "nope.yaml") == f"{tmp_path / 'nope.yaml'}: not found"


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("ESTATE_WORKERS", "abc", "ESTATE_WORKERS (environment): expected int, got 'abc'"),
        ("ESTATE_COMMAND_TIMEOUT", "-1", "ESTATE_COMMAND_TIMEOUT (environment): must be greater than 0, got '-1'"),
    ],
)
def test_environment_errors_name_the_variable(tmp_path: Path, variable: str, value: str, expected: str) -> None:
    assert error(config(tmp_path, "user_defined: {estate: {}}\n"), {variable: value}) == expected


def test_post_upgrade_thresholds_default_config_and_environment(tmp_path: Path) -> None:
    assert load_settings(config(tmp_path, "user_defined: {estate: {}}\n"), {}).post_upgrade == Thresholds()
    path = config(tmp_path, "user_defined:\n  estate:\n    post_upgrade:\n      routes_warn: 2\n      arp_fail: 60\n")
    thresholds = load_settings(path, {"ESTATE_POST_UPGRADE_SESSIONS_WARN": "70"}).post_upgrade
    assert thresholds == Thresholds(routes_warn=2, arp_fail=60, sessions_warn=70)


def test_shipped_config_has_the_default_thresholds() -> None:
    assert load_settings(REPO / "config.yaml", {}).post_upgrade == Thresholds()


@pytest.mark.parametrize(
    ("text", "environ", "expected"),
    [
        (
            "    post_upgrade: {routs_warn: 2}\n",
            {},
            ":3: user_defined.estate.post_upgrade.routs_warn: unknown threshold",
        ),
        ("    post_upgrade: {arp_warn: 120}\n", {}, "expected a percentage from 0 to 100, got 120"),
        (
            "    post_upgrade: {}\n",
            {"ESTATE_POST_UPGRADE_ROUTES_FAIL": "x"},
            "ESTATE_POST_UPGRADE_ROUTES_FAIL (environ",
        ),
        ("    post_upgrade: {routes_warn: 30}\n", {}, "post_upgrade: routes_warn (30) is above routes_fail (20)"),
    ],
)
def test_bad_post_upgrade_thresholds_are_one_line(
    tmp_path: Path, text: str, environ: dict[str, str], expected: str
) -> None:
    assert expected in error(config(tmp_path, "user_defined:\n  estate:\n" + text), environ)


# --- upgrade.image_server / upgrade.image_servers ---------------------------------------------------------------

IMAGE_SERVERS = """\
user_defined:
  estate:
    upgrade:
      image_server:
        address: 192.0.2.10
      image_servers:
        acme:
          address: 198.51.100.7
        globex:
          file: "{version}/FGT_{model}.out"
"""


def test_the_shipped_config_sets_no_image_server() -> None:
    settings = load_settings(REPO / "config.yaml", {})
    assert settings.image_server is None and settings.image_servers == ()
    assert settings.image_server_for("acme") is None


def test_a_customer_entry_overrides_only_the_keys_it_gives(tmp_path: Path) -> None:
    settings = load_settings(config(tmp_path, IMAGE_SERVERS), {})
    assert settings.image_server == ImageServer("192.0.2.10", "tftp", "")
    assert settings.image_server_for("acme") == ImageServer("198.51.100.7", "tftp", "")
    assert settings.image_server_for("globex") == ImageServer("192.0.2.10", "tftp", "{version}/FGT_{model}.out")
    assert settings.image_server_for("initech") == settings.image_server  # no entry: the default


def test_a_customer_entry_alone_must_name_its_address(tmp_path: Path) -> None:
    only = "user_defined:\n  estate:\n    upgrade:\n      image_servers:\n        acme: {address: 198.51.100.7}\n"
    settings = load_settings(config(tmp_path, only), {})
    assert settings.image_server is None and settings.image_server_for("acme") == ImageServer("198.51.100.7")
    assert settings.image_server_for("globex") is None
    bad = "user_defined:\n  estate:\n    upgrade:\n      image_servers:\n        acme: {file: 'x-{version}'}\n"
    path = config(tmp_path, bad)
    assert error(path).startswith(f"{path}:5: user_defined.estate.upgrade.image_servers.acme: no address")


@pytest.mark.parametrize(
    ("entry", "line_field", "says"),
    [
        ("{address: 192.0.2.10, protocol: ftp}", "image_server.protocol", "expected one of tftp, got 'ftp'"),
        ("{address: '192.0.2.10 x'}", "image_server.address", "expected one word of text"),
        ("{address: 192.0.2.10, file: 'FGT_{model}.out'}", "image_server.file", "must hold {version}"),
        ("{address: 192.0.2.10, file: 'FGT_{build}-{version}'}", "image_server.file", "unknown placeholder {build}"),
        ("{address: 192.0.2.10, port: 69}", "image_server.port", "unknown key (known: address, protocol, file)"),
        ("{protocol: tftp}", "image_server", "no address"),
        ("192.0.2.10", "image_server", "expected a mapping, got str"),
    ],
)
def test_a_bad_image_server_is_one_line_naming_file_line_and_field(
    tmp_path: Path, entry: str, line_field: str, says: str
) -> None:
    path = config(tmp_path, f"user_defined:\n  estate:\n    upgrade:\n      image_server: {entry}\n")
    message = error(path)
    assert message.startswith(f"{path}:4: user_defined.estate.upgrade.{line_field}: "), message
    assert says in message


def test_the_image_server_keys_have_environment_overrides(tmp_path: Path) -> None:
    env = {"ESTATE_UPGRADE_IMAGE_SERVER_ADDRESS": "203.0.113.4"}
    assert load_settings(config(tmp_path, IMAGE_SERVERS), env).image_server_for("globex") == ImageServer(
        "203.0.113.4", "tftp", "{version}/FGT_{model}.out"
    )
    assert load_settings(config(tmp_path, "{}\n"), env).image_server == ImageServer("203.0.113.4")
    message = error(config(tmp_path, "{}\n"), {"ESTATE_UPGRADE_IMAGE_SERVER_PROTOCOL": "scp"})
    assert message.startswith("ESTATE_UPGRADE_IMAGE_SERVER_PROTOCOL (environment): expected one of tftp")


def test_the_commented_image_server_example_of_config_yaml_loads_as_its_comments_say(tmp_path: Path) -> None:
    lines = (REPO / "config.yaml").read_text(encoding="utf-8").splitlines()
    start = lines.index("      # image_server:")
    block = range(start, start + 7)  # image_server: its 3 keys, image_servers: its entry
    example = [line.replace("      # ", "      ", 1) if i in block else line for i, line in enumerate(lines)]
    settings = load_settings(config(tmp_path, "\n".join(example) + "\n"), {})
    fortios = ImageServer("192.0.2.10", "tftp", "FGT_{model}-v{version}-FORTINET.out")
    assert settings.image_server == fortios
    assert settings.image_servers == (("acme", ImageServer("198.51.100.7", "tftp", fortios.file)),)
