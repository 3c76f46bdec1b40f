"""The upgrade as data: the ordered steps of each hop of a plan, and the order (waves) a site's devices take.

Pure: no I/O. The runner of `estate upgrade --execute` follows what these return; a dry run shows it.

Steps of a hop, in order: download the base image (when the hop downloads one), download the image, install,
re-check the hop's known issues against the optics read then, reboot, wait until the device is back, verify
the running release, delete the hop's images (but the one now running). The re-check comes before the step that
reboots (before the install when the platform's install reboots by itself): a reboot into a release that cannot
boot with these optics is what it prevents. Kinds the platform's driver lacks are left out.

The HA member that carries the traffic (upgraded after its peer) is suspended before its first reboot, so its
peer takes over, and made functional again after its last hop.

>>> from tasks.models import Verdict
>>> from tasks.models.plan import Download, Hop, UpgradePlan
>>> from tasks.platforms.base import StepCommand, UpgradeDriver
>>> driver = UpgradeDriver({StepKind.DOWNLOAD: (StepCommand("get {version}"),),
...                         StepKind.INSTALL: (StepCommand("install {version}"),)})
>>> plan = UpgradePlan("os", "M", "1.0", "2.1", (Hop("1.0", "2.1", (Download("2.1", 10),)),), Verdict.PASS)
>>> [(s.hop, s.kind.value, s.command) for s in upgrade_steps(plan, driver)]
[(1, 'download image', 'get 2.1'), (1, 'install', 'install 2.1')]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tasks.models.plan import Hop, UpgradePlan
from tasks.models.upgrade import ImageServer, ImageSource, StepKind, UpgradeStep
from tasks.platforms.base import StepCommand, UpgradeDriver

HOP_ORDER = (
    StepKind.DOWNLOAD_BASE,
    StepKind.DOWNLOAD,
    StepKind.INSTALL,
    StepKind.RECHECK,
    StepKind.REBOOT,
    StepKind.WAIT,
    StepKind.VERIFY,
    StepKind.DELETE,
)
PER_IMAGE = {StepKind.DOWNLOAD_BASE: True, StepKind.DOWNLOAD: False}  # kind -> the base image, or the others
IMAGE_PLACEHOLDER = "<image of {version}>"
SERVER_PLACEHOLDER = "<image server>"
# HA states that hand over traffic last: the peer in one of them is upgraded after the other (passive first).
SERVING_STATES = frozenset({"active", "primary", "active-primary"})


def hop_order(driver: UpgradeDriver) -> tuple[StepKind, ...]:
    """The step kinds of a hop on this driver: `HOP_ORDER`, the re-check before the install when it reboots.

    >>> d = UpgradeDriver({StepKind.INSTALL: (), StepKind.RECHECK: (), StepKind.VERIFY: ()}, install_reboots=True)
    >>> [k.value for k in hop_order(d)]
    ['re-check known issues', 'install', 'verify release']
    """
    order = [kind for kind in HOP_ORDER if kind in driver.steps]
    if driver.install_reboots and StepKind.RECHECK in order and StepKind.INSTALL in order:
        order.remove(StepKind.RECHECK)
        order.insert(order.index(StepKind.INSTALL), StepKind.RECHECK)
    return tuple(order)


# The release -> where its image comes from, when the device's image server is configured.
ImageSources = Callable[[str], ImageSource]


def image_sources(server: ImageServer | None, driver: UpgradeDriver, model: str) -> ImageSources | None:
    """What `{protocol}`, `{image}` and `{server}` show for a device of `model` (as its facts name it) with this
    image server; None (placeholders) when no server is configured or the platform fetches no image from one.

    >>> d = UpgradeDriver({}, image_file="IMG_{model}_{version}.bin", image_model=str.lower)
    >>> image_sources(ImageServer("192.0.2.5"), d, "X-60F")("1.2.3")
    ImageSource(protocol='tftp', server='192.0.2.5', file='IMG_x-60f_1.2.3.bin')
    >>> image_sources(None, d, "X-60F") is None
    True
    """
    if server is None or not driver.image_file:
        return None
    return lambda version: server.source(version, driver.image_model(model), driver.image_file)


def _render(step: StepCommand, version: str, sources: ImageSources | None = None) -> tuple[str, str]:
    """The command and expectation of `step` for `version`: the image's file and server when known, else
    placeholders (`<image of V>`, `<image server>`).

    >>> step = StepCommand("get {protocol} {image} {server}", "v{version}")
    >>> _render(step, "2.0")
    ('get tftp <image of 2.0> <image server>', 'v2.0')
    >>> _render(step, "2.0", lambda v: ImageSource("tftp", "192.0.2.5", f"img-{v}"))
    ('get tftp img-2.0 192.0.2.5', 'v2.0')
    """
    source = sources(version) if sources else None
    values = {
        "version": version,
        "protocol": source.protocol if source else ImageServer("").protocol,
        "image": source.file if source else IMAGE_PLACEHOLDER.format(version=version),
        "server": source.server if source else SERVER_PLACEHOLDER,
    }
    return step.command.format(**values), step.expect.format(**values)


def _versions(hop: Hop, kind: StepKind) -> tuple[str, ...]:
    """The releases a step kind is sent for in `hop`: per image for downloads and deletes, else the hop's target."""
    if kind in PER_IMAGE:
        return tuple(d.version for d in hop.downloads if d.base is PER_IMAGE[kind])
    if kind is StepKind.DELETE:
        return tuple(d.version for d in hop.downloads if d.version != hop.to_version)
    if kind is StepKind.INSTALL and not hop.install:
        return ()
    if kind is StepKind.REBOOT and not hop.reboot:
        return ()
    return (hop.to_version,)


def hop_steps(number: int, hop: Hop, driver: UpgradeDriver, sources: ImageSources | None = None) -> list[UpgradeStep]:
    """The steps of hop `number` (from 1), each command of each kind once per release it is sent for."""
    steps: list[UpgradeStep] = []
    for kind in hop_order(driver):
        for version in _versions(hop, kind):
            for command in driver.steps[kind]:
                text, expect = _render(command, version, sources)
                if kind is StepKind.INSTALL and driver.note:
                    expect = f"{expect}; {driver.note}" if expect else driver.note
                steps.append(UpgradeStep(number, hop.from_version, hop.to_version, kind, text, expect, version=version))
    return steps


def _ha_steps(kind: StepKind, number: int, hop: Hop, driver: UpgradeDriver) -> list[UpgradeStep]:
    return [
        UpgradeStep(number, hop.from_version, hop.to_version, kind, *_render(c, hop.to_version), version=hop.to_version)
        for c in driver.steps.get(kind, ())
    ]


def _rebooting(step: UpgradeStep, driver: UpgradeDriver) -> bool:
    return step.kind is StepKind.REBOOT or (driver.install_reboots and step.kind is StepKind.INSTALL)


def upgrade_steps(
    plan: UpgradePlan, driver: UpgradeDriver, serving: bool = False, sources: ImageSources | None = None
) -> tuple[UpgradeStep, ...]:
    """Every step of every hop of `plan`, in the order the runner takes them (none when already on target).

    `serving`: the device carries its HA group's traffic; it is suspended before its first reboot and made
    functional after the last hop (when the driver has those steps). `sources`: where its images come from
    (`image_sources`), shown in the commands; placeholders without.
    """
    steps = [step for number, hop in enumerate(plan.hops, start=1) for step in hop_steps(number, hop, driver, sources)]
    if not serving or not steps or StepKind.HA_SUSPEND not in driver.steps:
        return tuple(steps)
    first = next((i for i, step in enumerate(steps) if _rebooting(step, driver)), 0)
    last = len(plan.hops)
    suspend = _ha_steps(StepKind.HA_SUSPEND, steps[first].hop, plan.hops[steps[first].hop - 1], driver)
    functional = _ha_steps(StepKind.HA_FUNCTIONAL, last, plan.hops[-1], driver)
    return tuple([*steps[:first], *suspend, *steps[first:], *functional])


@dataclass(frozen=True)
class WaveDevice:
    """What the order needs of a device: where it is and its HA state (None when not in HA)."""

    name: str
    customer: str
    site: str
    ha_state: str | None = None


def _serving(device: WaveDevice) -> bool:
    """Whether the device carries the traffic of its HA group (it goes after its peers)."""
    return str(device.ha_state).lower() in SERVING_STATES


def _chains(members: Sequence[WaveDevice]) -> list[list[str]]:
    """A site's devices as chains taken one after the other: the HA members in one chain (the serving peer
    last), every other device a chain of its own; chains in the order of their first device's name."""
    in_ha = sorted((d for d in members if d.ha_state), key=lambda d: (_serving(d), d.name))
    chains = [[d.name] for d in members if not d.ha_state]
    if in_ha:
        chains.append([d.name for d in in_ha])
    return sorted(chains, key=lambda chain: min(chain))


def upgrade_waves(devices: Sequence[WaveDevice], max_per_site: int) -> dict[str, int]:
    """{device: its wave within its site}: at most `max_per_site` devices of a site per wave, the HA members of a
    site one at a time (passive before active). Sites run side by side: wave 1 of every site starts at once.

    The estate knows a device's HA state, not its peer's name: every HA member of a site counts as one group,
    which is never less safe than pairs.

    >>> ds = [WaveDevice("fw1", "c", "s", "active"), WaveDevice("fw2", "c", "s", "passive")]
    >>> upgrade_waves([*ds, WaveDevice("sw1", "c", "s")], 2)
    {'fw2': 1, 'sw1': 1, 'fw1': 2}
    """
    if max_per_site < 1:
        raise ValueError(f"max_per_site must be at least 1, got {max_per_site}")
    sites: dict[tuple[str, str], list[WaveDevice]] = {}
    for device in devices:
        sites.setdefault((device.customer, device.site), []).append(device)
    waves: dict[str, int] = {}
    for members in sites.values():
        chains = _chains(members)
        wave = 0
        while any(chains):
            wave += 1
            taken = 0
            for chain in chains:
                if chain and taken < max_per_site:
                    waves[chain.pop(0)] = wave
                    taken += 1
    return waves
