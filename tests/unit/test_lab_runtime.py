"""The lab's runtime state machine: jobs progress, install rules, reboot, the boot-loop rule, control verbs."""

from __future__ import annotations

from dataclasses import replace

import pytest

from lab.ctlserver import answer
from lab.estate import Device, DeviceState, Ha, Optic
from lab.runtime import AUTOCOM_S, DOWNLOAD_S, INSTALL_S, DeviceRuntime, Refused, State

OEM = Optic("ethernet1/5", "10GBASE-SR", "OEM", "PAN-SFP-PLUS-SR", "A1")
FS = Optic("ethernet1/6", "10GBASE-LR", "FS", "SFP-10GLR-31", "F1")
FINISAR = Optic("ethernet1/7", "10GBASE-SR", "FINISAR CORP.", "FTLX8571D3BCL", "F2")
OEM_PARTS = {"10GBASE-SR": "PAN-SFP-PLUS-SR", "10GBASE-LR": "PAN-SFP-PLUS-LR"}


def _device(version: str = "10.1.9", optics: tuple[Optic, ...] = (OEM,), **extra: object) -> Device:
    base = Device("fw1", "paloalto_panos", "PA-850", version, "acme", "lon1", optics=optics)
    return replace(base, **extra)  # type: ignore[arg-type]


def _runtime(device: Device | None = None, reboot_s: float = 5.0) -> DeviceRuntime:
    runtime = DeviceRuntime(device or _device(), reboot_s=reboot_s, oem_parts=OEM_PARTS)
    runtime.next_job = 100
    return runtime


def _download(runtime: DeviceRuntime, version: str, now: float) -> float:
    job = runtime.download(version, now)
    assert job.status(now) == "ACT" and job.as_job(now).result == "PEND"
    done = now + DOWNLOAD_S
    assert job.status(done) == "FIN"
    runtime.tick(done)
    return done


def _upgrade(runtime: DeviceRuntime, version: str, now: float) -> float:
    """Download (and the base image when crossing a feature release), install, restart; the time it is back."""
    base = ".".join(version.split(".")[:2]) + ".0"
    if base != version and base.rsplit(".", 1)[0] != runtime.version.rsplit(".", 1)[0]:
        now = _download(runtime, base, now)
    now = _download(runtime, version, now)
    runtime.install(version, now)
    now += INSTALL_S
    runtime.tick(now)
    runtime.restart(now)
    assert runtime.current(now).version != version or runtime.state is State.REBOOTING
    return now + runtime.reboot_s


def test_a_job_is_act_pend_then_fin_ok_with_increasing_ids() -> None:
    runtime = _runtime()
    first = runtime.download("10.2.0", 0.0)
    assert (first.ident, first.as_job(0.0).status, first.as_job(0.0).result) == (100, "ACT", "PEND")
    assert first.progress(DOWNLOAD_S / 2) == 50
    assert first.as_job(DOWNLOAD_S).status == "FIN" and first.as_job(DOWNLOAD_S).result == "OK"
    runtime.tick(DOWNLOAD_S)
    assert "10.2.0" in runtime.current(DOWNLOAD_S).state.images
    assert runtime.download("10.2.4-h4", DOWNLOAD_S).ident == 101


def test_a_second_download_while_one_runs_is_refused() -> None:
    runtime = _runtime()
    runtime.download("10.2.0", 0.0)
    with pytest.raises(Refused, match="Another download is in progress"):
        runtime.download("10.2.4-h4", 0.1)


def test_install_needs_the_image_downloaded() -> None:
    runtime = _runtime()
    with pytest.raises(Refused, match="not downloaded"):
        runtime.install("10.1.14", 0.0)


def test_crossing_a_feature_release_needs_its_base_image() -> None:
    runtime = _runtime()
    now = _download(runtime, "10.2.4-h4", 0.0)
    with pytest.raises(Refused, match=r"10\.2\.0"):
        runtime.install("10.2.4-h4", now)
    now = _download(runtime, "10.2.0", now)
    assert runtime.install("10.2.4-h4", now).type == "SWInstall"


def test_a_maintenance_release_in_the_same_feature_release_needs_no_base_image() -> None:
    runtime = _runtime()
    now = _download(runtime, "10.1.14", 0.0)
    assert runtime.install_problem("10.1.14", now) is None


def test_restart_runs_the_installed_release_after_reboot_s_with_an_autocom_job() -> None:
    runtime = _runtime(reboot_s=5.0)
    back = _upgrade(runtime, "10.1.14", 0.0)
    assert runtime.status(back - 0.1)["state"] == "rebooting"
    assert runtime.status(back)["state"] == "up"
    assert runtime.version == "10.1.14"
    assert [(job.ident, job.type) for job in runtime.jobs] == [(1, "AutoCom")]
    assert not runtime.chassis_ready(back)
    assert runtime.chassis_ready(back + AUTOCOM_S)
    assert runtime.status(back)["requests"] == ["download 10.1.14", "install 10.1.14", "restart"]


def test_restart_without_an_install_comes_back_on_the_same_release() -> None:
    runtime = _runtime()
    runtime.restart(0.0)
    runtime.tick(5.0)
    assert (runtime.state, runtime.version) == (State.UP, "10.1.9")


@pytest.mark.parametrize(
    ("optics", "target", "state"),
    [
        ((OEM, FS), "10.2.0", State.BOOT_LOOP),  # the story: 10.2.0 with an FS optic
        ((OEM, FINISAR), "10.2.4-h4", State.BOOT_LOOP),  # any non-OEM vendor, any later release
        ((OEM,), "10.2.0", State.UP),  # OEM optics only
        ((OEM, FS), "10.1.14", State.UP),  # before 10.2.0 third-party optics boot
        ((), "10.2.0", State.UP),  # no optics
    ],
)
def test_the_boot_loop_rule(optics: tuple[Optic, ...], target: str, state: State) -> None:
    runtime = _runtime(_device(optics=optics))
    back = _upgrade(runtime, target, 0.0)
    runtime.tick(back)
    assert runtime.state is state
    assert runtime.status(back)["state"] == state.value


def test_replace_optics_brings_a_boot_looping_device_up_on_its_release() -> None:
    runtime = _runtime(_device(optics=(OEM, FS, FINISAR)))
    back = _upgrade(runtime, "10.2.0", 0.0)
    runtime.tick(back + 60)
    assert runtime.state is State.BOOT_LOOP and runtime.non_oem_optics() == 2
    assert runtime.replace_optics(back + 60) == 2
    assert runtime.state is State.REBOOTING
    runtime.tick(back + 60 + runtime.reboot_s)
    assert (runtime.state, runtime.version, runtime.non_oem_optics()) == (State.UP, "10.2.0", 0)
    swapped = {optic.port: optic for optic in runtime.current().optics}
    assert swapped["ethernet1/6"].type == "10GBASE-LR" and swapped["ethernet1/6"].part == "PAN-SFP-PLUS-LR"
    assert swapped["ethernet1/7"].vendor == "OEM"


@pytest.mark.parametrize(("kind", "job_type"), [("download_fail", "Downld"), ("disk_full", "Downld")])
def test_download_faults_end_the_job_fail(kind: str, job_type: str) -> None:
    runtime = _runtime()
    runtime.inject(kind)
    job = runtime.download("10.1.14", 0.0)
    runtime.tick(DOWNLOAD_S)
    assert (job.type, job.as_job(DOWNLOAD_S).result) == (job_type, "FAIL")
    assert "10.1.14" not in runtime.images


def test_download_fail_is_one_shot_and_disk_full_shows_on_the_disk() -> None:
    runtime = _runtime()
    runtime.inject("download_fail")
    runtime.download("10.1.14", 0.0)
    assert runtime.download("10.1.14", DOWNLOAD_S).result == "OK"
    runtime.inject("disk_full")
    assert runtime.current(2 * DOWNLOAD_S).state.disk_free_mb is not None


def test_install_fail_ends_fail_and_the_reboot_keeps_the_release() -> None:
    runtime = _runtime()
    now = _download(runtime, "10.1.14", 0.0)
    runtime.inject("install_fail")
    job = runtime.install("10.1.14", now)
    runtime.tick(now + INSTALL_S)
    assert job.as_job(now + INSTALL_S).result == "FAIL" and runtime.installed is None


def test_reboot_hang_never_comes_back() -> None:
    runtime = _runtime()
    runtime.inject("reboot_hang")
    runtime.restart(0.0)
    runtime.tick(3600.0)
    assert runtime.state is State.DOWN


def test_ha_suspend_fails_over_and_functional_returns_as_passive() -> None:
    active = _runtime(_device(ha=Ha("fw2", "active")))
    passive = DeviceRuntime(replace(_device(ha=Ha("fw1", "passive")), name="fw2"))
    active.peer, passive.peer = passive, active
    assert active.set_ha("suspend") == "suspended"
    assert (active.ha_state, passive.ha_state) == ("suspended", "active")
    active.set_ha("functional")
    assert active.ha_state == "passive"
    assert active.current().ha == Ha("fw2", "passive")


def test_pull_optic_and_link_down() -> None:
    runtime = _runtime(_device(optics=(OEM, FS)))
    runtime.pull_optic("ethernet1/6")
    assert [o.port for o in runtime.current().optics] == ["ethernet1/5"]
    assert "ethernet1/6" in runtime.link_down_ports()
    with pytest.raises(Refused):
        runtime.pull_optic("ethernet1/6")
    runtime.set_link_down("ethernet1/1", ["ethernet1/1"])
    assert "ethernet1/1" in runtime.link_down_ports()


def test_insert_optic_puts_a_third_party_optic_in_a_port_link_up_and_refuses_a_port_the_model_lacks() -> None:
    runtime = _runtime(_device(optics=(OEM,)))
    runtime.set_link_down("ethernet1/6", ["ethernet1/6"])
    reply = answer(
        {"verb": "insert-optic", "device": "fw1", "args": ["ethernet1/6", "10GBASE-LR", "FS", "SFP-10GLR-31"]},
        {"fw1": runtime},
    )
    assert reply["ok"], reply
    inserted = next(o for o in runtime.current().optics if o.port == "ethernet1/6")
    assert (inserted.vendor, inserted.part) == ("FS", "SFP-10GLR-31") and runtime.non_oem_optics() == 1
    assert "ethernet1/6" not in runtime.link_down_ports()
    bad = answer({"verb": "insert-optic", "device": "fw1", "args": ["ethernet9/9", "x", "FS", "p"]}, {"fw1": runtime})
    assert bad == {"ok": False, "error": "fw1: no port ethernet9/9"}
    short = answer({"verb": "insert-optic", "device": "fw1", "args": ["ethernet1/6"]}, {"fw1": runtime})
    assert not short["ok"] and short["error"].startswith("usage: insert-optic DEVICE PORT TYPE VENDOR PART")


def test_reset_config_undoes_set_config() -> None:
    runtime = _runtime(_device())
    text = "config x\n  set a\nend"
    assert answer({"verb": "set-config", "device": "fw1", "args": ["--remove", "set a"]}, {"fw1": runtime})["ok"]
    assert runtime.edit_config(text) == "config x\nend"
    assert answer({"verb": "reset-config", "device": "fw1", "args": []}, {"fw1": runtime})["ok"]
    assert runtime.edit_config(text) == text


def test_estate_images_count_as_downloaded() -> None:
    runtime = _runtime(_device(state=DeviceState(images=("10.2.0",))))
    assert "10.2.0" in runtime.current().state.images


def test_control_answers() -> None:
    runtimes = {"fw1": _runtime(_device(optics=(OEM, FS)))}
    status = answer({"verb": "status"}, runtimes, now=0.0)
    assert status == {
        "ok": True,
        "devices": [
            {
                "name": "fw1",
                "platform": "paloalto_panos",
                "version": "10.1.9",
                "state": "up",
                "ha_state": None,
                "non_oem_optics": 1,
                "requests": [],
                "connections": 0,
                "logins": 0,
                "host_key": "",
            }
        ],
    }
    assert "not served over SSH" in answer({"verb": "rekey", "device": "fw1"}, runtimes)["error"]
    assert answer({"verb": "replace-optics", "device": "fw1"}, runtimes, now=0.0)["ok"]
    assert answer({"verb": "status"}, runtimes, now=0.0)["devices"][0]["non_oem_optics"] == 0
    assert answer({"verb": "fault", "device": "fw1", "args": ["reboot_hang"]}, runtimes)["ok"]
    assert not answer({"verb": "fault", "device": "fw1", "args": ["melt"]}, runtimes)["ok"]
    assert "unknown verb" in answer({"verb": "explode", "device": "fw1"}, runtimes)["error"]
    assert "unknown device" in answer({"verb": "fault", "device": "nope", "args": ["disk_full"]}, runtimes)["error"]
    assert "usage" in answer({"verb": "link-down", "device": "fw1"}, runtimes)["error"]
    assert "no port" in answer({"verb": "link-down", "device": "fw1", "args": ["ethernet9/9"]}, runtimes)["error"]


def test_rebooting_the_active_member_fails_over_to_the_passive() -> None:
    active = _runtime(_device(ha=Ha("fw2", "active")))
    passive = DeviceRuntime(replace(_device(ha=Ha("fw1", "passive")), name="fw2"))
    active.peer, passive.peer = passive, active
    active.restart(0.0)
    active.tick(active.reboot_s)
    assert (active.state, active.ha_state, passive.ha_state) == (State.UP, "passive", "active")


def test_set_config_adds_and_removes_lines() -> None:
    runtimes = {"fw1": _runtime()}
    request = {"verb": "set-config", "device": "fw1", "args": ["--add", "  set x 1", "--remove", "hostname"]}
    assert answer(request, runtimes)["ok"]
    assert runtimes["fw1"].edit_config("config {\n  hostname fw1;\n}") == "config {\n  set x 1\n}"
    assert "usage" in answer({"verb": "set-config", "device": "fw1", "args": ["--add"]}, runtimes)["error"]
    assert (
        "bad --remove regex"
        in answer({"verb": "set-config", "device": "fw1", "args": ["--remove", "("]}, runtimes)["error"]
    )
