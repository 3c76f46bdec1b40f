"""Upgrade paths: the hops, downloads, reboots and minutes from a running release to a target (pure).

The rules are data (`Matrix.upgrade`, `Matrix.releases`, `Matrix.images`); this module applies them:

- refused outright (FAIL, no hops): an unknown current or target release, a target build the matrix's images
  do not list (when it has upgrade-path data), a downgrade, a target beyond the model's last supported release;
- each hop, planned or forced with `via`, is checked against the same rules, and each broken rule is a FAIL
  reason naming it: a hop build the matrix does not list, skipping feature releases (`no_skip_until`,
  `skip_from`, `max_skipped_releases`, `release_sequence`), installing a base image as an intermediate hop
  (`base_image_only_as_target`), a hop to a build released before the running one (`release_date_rule`), a
  hop beyond the model's last release;
- a rule that cannot be checked (the release-date rule without both dates) is a WARN naming the hop;
- the automatic path follows a documented per-model path when the matrix has one; otherwise it first installs
  the running feature release's recommended release (`latest_maintenance_first`), then jumps as far as the
  skip rules allow toward the target, stopping in each intermediate feature release on its `recommended`
  release (with the release-date rule: on the newest listed build released no later than the next stop), and
  ends on the target;
- before a hop into another feature release its base image is downloaded (`base_image_required`), unless the
  hop's image is the base; no image is downloaded twice, nor the one running.

The story's path (9.1.14 → 10.2.4-h4, planned and forced) is tested with the shipped matrices in
tests/unit/test_upgrade_path.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from tasks.matrix import Matrix, UpgradeRules
from tasks.models import Finding, Severity, Verdict
from tasks.models.plan import ARROW, Download, Hop, UpgradePlan
from tasks.versions import Version, parse_version

UPGRADE_PATH = "upgrade_path"


@dataclass(frozen=True)
class _Context:
    """What every rule needs: the matrix, its rules, the model and the version scheme."""

    matrix: Matrix
    model: str
    scheme: str
    rules: UpgradeRules
    os_name: str
    order: tuple[str, ...] = field(default=())  # feature releases, oldest first

    def v(self, text: str) -> Version:
        return parse_version(text, self.scheme)

    def release_version(self, version: Version) -> Version:
        """The feature release of `version` as a comparable version (`10.2.4-h4` -> `10.2`)."""
        return self.v(version.feature_release)


def _context(matrix: Matrix, model: str) -> _Context:
    scheme = matrix.platform
    upgrade = matrix.upgrade
    trains = {parse_version(r.release, scheme).feature_release for r in matrix.releases}
    order = sorted(trains, key=lambda train: parse_version(train, scheme))
    return _Context(
        matrix=matrix,
        model=model,
        scheme=scheme,
        rules=upgrade.rules if upgrade else UpgradeRules(),
        os_name=(upgrade.os_name if upgrade and upgrade.os_name else scheme),
        order=tuple(order),
    )


# --- rules ------------------------------------------------------------------------------------------------


def _unknown(ctx: _Context, version: Version, role: str) -> str | None:
    """Why `version` cannot be a hop or target, or None: its feature release or its image is not listed."""
    if ctx.matrix.release(version.text) is None:
        return f"unknown {role} release {version}: feature release {version.feature_release} is not in the matrix"
    upgrade = ctx.matrix.upgrade
    if upgrade is None or ctx.matrix.image(version.text) is not None:
        return None  # without upgrade-path data only the feature release is checked
    if upgrade.images_complete:
        as_of = f" as of {upgrade.images_as_of}" if upgrade.images_as_of else ""
        return f"unknown {role} release {version}: not an image on the vendor's update server{as_of}"
    return (
        f"unknown {role} release {version}: not a build the {ctx.os_name} matrix lists "
        "(add it to the matrix's images with its source)"
    )


def _beyond_last(ctx: _Context, version: Version) -> str | None:
    """Why `version` is beyond the model's last supported release, or None."""
    entry = ctx.matrix.last_release_for(ctx.model)
    if entry is None or ctx.release_version(version) <= ctx.v(entry.last_release):
        return None
    return (
        f"{version} is beyond the last supported release of {ctx.model}: {entry.last_release} "
        f"(last supported release per model, {entry.source})"
    )


def _skipped(ctx: _Context, frm: Version, to: Version) -> list[str]:
    """The feature releases strictly between those of `frm` and `to`."""
    low, high = ctx.release_version(frm), ctx.release_version(to)
    return [r for r in ctx.order if low < ctx.v(r) < high]


def _skip_violation(ctx: _Context, frm: Version, to: Version) -> str | None:
    """Why the hop skips feature releases it may not skip, or None (a hop to the next release never skips)."""
    skipped = _skipped(ctx, frm, to)
    if not skipped:
        return None
    rules, running = ctx.rules, ctx.release_version(frm)
    prefix = f"{frm} {ARROW} {to} skips {', '.join(skipped)}"
    if rules.no_skip_until and running <= ctx.v(rules.no_skip_until):
        return f"{prefix}: {ctx.os_name} through {rules.no_skip_until} does not allow skipping a feature release"
    if rules.skip_from and running < ctx.v(rules.skip_from):
        return f"{prefix}: {ctx.os_name} allows skipping feature releases only from {rules.skip_from} or later"
    if rules.max_skipped_releases is not None and len(skipped) > rules.max_skipped_releases:
        return (
            f"{prefix} ({len(skipped)} releases): {ctx.os_name} allows skipping at most "
            f"{rules.max_skipped_releases} feature releases in one install"
        )
    sequence = rules.release_sequence
    outside = [r.feature_release for r in (frm, to) if sequence and r.feature_release not in sequence]
    if outside:
        return (
            f"{prefix}: {ctx.os_name} allows skipping only within {sequence[0]}-{sequence[-1]}, "
            f"and {', '.join(outside)} is not in that sequence"
        )
    return None


def _base_of(ctx: _Context, version: Version) -> Version | None:
    release = ctx.matrix.release(version.text)
    return ctx.v(release.base_image) if release and release.base_image else None


def _base_hop_violation(ctx: _Context, to: Version, is_target: bool) -> str | None:
    """Why installing `to` as an intermediate hop is against the base-image rule, or None."""
    if not ctx.rules.base_image_only_as_target or is_target or _base_of(ctx, to) != to:
        return None
    return (
        f"{to} is a base image installed as an intermediate hop: {ctx.os_name} advises against installing a base "
        "image unless it is the target"
    )


def _date_check(ctx: _Context, frm: Version, to: Version) -> tuple[str | None, str | None]:
    """(violation, warning) of the release-date rule: no hop to a build released before the running one; a
    WARN when a date is missing, since the hop may then be one the vendor does not support."""
    if not ctx.rules.release_date_rule:
        return None, None
    old, new = ctx.matrix.image(frm.text), ctx.matrix.image(to.text)
    undated = [str(v) for v, image in ((frm, old), (to, new)) if image is None or image.released is None]
    if old is None or new is None or old.released is None or new.released is None:
        return None, (
            f"release-date rule not checked for {frm} {ARROW} {to}: no release date of {' and '.join(undated)} "
            f"in the matrix; compare the hop with {ctx.os_name}'s upgrade path tool"
        )
    if new.released >= old.released:
        return None, None
    return (
        f"{frm} {ARROW} {to}: {to} was released {new.released}, before the running {frm} ({old.released}); "
        f"{ctx.os_name} does not support a hop to a build released before the running one (release-date rule)"
    ), None


def _hop_check(ctx: _Context, frm: Version, to: Version, is_target: bool) -> tuple[list[str], list[str]]:
    """(violations, warnings) of one hop against every rule."""
    if to <= frm:
        return [f"{frm} {ARROW} {to} does not go up: only upgrades are planned"], []
    found = [
        _unknown(ctx, to, "target" if is_target else "hop"),
        _beyond_last(ctx, to),
        _skip_violation(ctx, frm, to),
        _base_hop_violation(ctx, to, is_target),
    ]
    violation, warning = _date_check(ctx, frm, to)
    return [f for f in [*found, violation] if f], [warning] if warning else []


# --- the automatic path -----------------------------------------------------------------------------------


def _landing(ctx: _Context, release: str) -> Version | None:
    """Where a path passing through `release` stops: its recommended release, else its newest listed image."""
    entry = ctx.matrix.release(release)
    if entry and entry.recommended:
        return ctx.v(entry.recommended.version)
    images = [ctx.v(i.version) for i in ctx.matrix.images if ctx.v(i.version).feature_release == release]
    return max(images, default=None)


def _dated_landing(ctx: _Context, release: str, bound: date | None) -> tuple[Version | None, str | None]:
    """(stop, failure) in `release` under the release-date rule: the recommended release, else the newest listed
    build released no later than `bound` (the next dated stop); an undated build when no dated one fits (the
    hop's check then warns); a failure when every build of the release is dated after `bound`."""
    landing = _landing(ctx, release)
    if bound is None:
        return landing, None
    images = [i for i in ctx.matrix.images if ctx.v(i.version).feature_release == release]
    fits = [ctx.v(i.version) for i in images if i.released is not None and i.released <= bound]
    if landing is not None and landing in fits:
        return landing, None
    undated = [ctx.v(i.version) for i in images if i.released is None]
    choice = max(fits, default=None) or max(undated, default=None)
    if choice is None:
        return None, (
            f"the path must stop in {release} on a build released by {bound} (release-date rule), and the "
            f"{ctx.os_name} matrix lists none"
        )
    return choice, None


def _landings(ctx: _Context, releases: Sequence[str], target: Version) -> tuple[list[Version], list[str]]:
    """(stops, failures): where the path stops in each of `releases`, chosen from the target backwards so that,
    under the release-date rule, each stop is released no later than the next."""
    if not ctx.rules.release_date_rule:
        stops = [_landing(ctx, release) for release in releases]
        missing = [r for r, stop in zip(releases, stops, strict=True) if stop is None]
        if missing:
            return [], [f"the path must stop in {missing[0]}, and the matrix lists no {missing[0]} image to stop at"]
        return [s for s in stops if s is not None], []
    image = ctx.matrix.image(target.text)
    bound = image.released if image else None
    chosen: list[Version] = []
    for release in reversed(releases):
        stop, failure = _dated_landing(ctx, release, bound)
        if stop is None:
            return [], [failure or f"the matrix lists no {release} image to stop at"]
        chosen.append(stop)
        stop_image = ctx.matrix.image(stop.text)
        if stop_image is not None and stop_image.released is not None:
            bound = stop_image.released
    return chosen[::-1], []


def _farthest_release(ctx: _Context, frm: Version, target: Version) -> str:
    """The furthest feature release toward the target one install from `frm` may reach (at least the next)."""
    start, end = ctx.order.index(frm.feature_release), ctx.order.index(target.feature_release)
    for release in reversed(ctx.order[start + 1 : end + 1]):
        if _skip_violation(ctx, frm, ctx.v(release)) is None:
            return release
    return ctx.order[start + 1]


def _release_stops(ctx: _Context, current: Version, target: Version) -> tuple[list[Version], list[str]]:
    """(stops, failures): the intermediate versions the skip rules make the path stop at."""
    releases: list[str] = []
    running = current.feature_release
    while running != target.feature_release:
        release = _farthest_release(ctx, ctx.v(running), target)
        if release == target.feature_release:
            break
        releases.append(release)
        running = release
    return _landings(ctx, releases, target)


def _first_stop(ctx: _Context, current: Version, target: Version) -> tuple[Version | None, str | None]:
    """(stop, note): the running feature release's recommended release, installed first when the rules say so
    and the path leaves the running release."""
    source = ctx.rules.latest_maintenance_first
    if not source or current.feature_release == target.feature_release:
        return None, None
    stop = _landing(ctx, current.feature_release)
    if stop is None or stop <= current:
        return None, None
    entry = ctx.matrix.release(current.feature_release)
    why = f" ({entry.recommended.basis}, {entry.recommended.source})" if entry and entry.recommended else ""
    return stop, (
        f"first hop {current} {ARROW} {stop}: {ctx.os_name}'s upgrade guide installs the latest maintenance "
        f"release of the running feature release before moving on ({source}); {stop} is "
        f"{current.feature_release}'s recommended release{why}"
    )


def _auto_stops(ctx: _Context, current: Version, target: Version) -> tuple[list[Version], list[str], list[str]]:
    """(stops, failures, notes): a documented per-model path when there is one, else the release steps."""
    documented = ctx.matrix.path_for(ctx.model)
    if documented is not None:
        stones = sorted({ctx.v(v) for v in documented.versions if current < ctx.v(v) < target})
        return stones, [], [f"documented path for {ctx.model} ({documented.source})"]
    first, note = _first_stop(ctx, current, target)
    stops, failures = _release_stops(ctx, first or current, target)
    return ([first, *stops] if first else stops), failures, [note] if note else []


# --- hops -------------------------------------------------------------------------------------------------


def _download(ctx: _Context, version: Version) -> Download:
    image = ctx.matrix.image(version.text)
    is_base = _base_of(ctx, version) == version
    if image is not None and image.size_mb is not None:
        return Download(version.text, image.size_mb, base=is_base)
    estimate = ctx.matrix.upgrade.image_size_estimate if ctx.matrix.upgrade else None
    if estimate is None:
        return Download(version.text, None, base=is_base)
    return Download(version.text, estimate.base_mb if is_base else estimate.other_mb, base=is_base, estimated=True)


def _downloads(ctx: _Context, frm: Version, to: Version, have: set[Version]) -> tuple[Download, ...]:
    """The images to fetch before installing `to` from `frm`: the base first when required; none held already."""
    wanted: list[Version] = []
    base = _base_of(ctx, to)
    if ctx.rules.base_image_required and to.feature_release != frm.feature_release and base is not None:
        wanted.append(base)
    wanted.append(to)
    fresh = [v for v in dict.fromkeys(wanted) if v not in have]
    have.update(fresh)
    return tuple(_download(ctx, v) for v in fresh)


def _minutes(ctx: _Context) -> int | None:
    durations = ctx.matrix.upgrade.durations if ctx.matrix.upgrade else None
    return durations.install_minutes + durations.reboot_minutes if durations else None


def _hops(ctx: _Context, current: Version, stops: Sequence[Version]) -> tuple[tuple[Hop, ...], list[str], list[str]]:
    """(hops, violations, warnings) along current -> stops; the last stop is the target."""
    hops: list[Hop] = []
    violations: list[str] = []
    warnings: list[str] = []
    have = {current}
    running = current
    for i, to in enumerate(stops):
        found, hop_warnings = _hop_check(ctx, running, to, is_target=i == len(stops) - 1)
        violations += found
        warnings += hop_warnings
        hops.append(Hop(running.text, to.text, _downloads(ctx, running, to, have), minutes=_minutes(ctx)))
        running = to
    return tuple(hops), violations, warnings


def _plan_notes(ctx: _Context, hops: Sequence[Hop]) -> list[str]:
    downloads = [d for hop in hops for d in hop.downloads]
    notes = []
    estimated = [d.version for d in downloads if d.estimated]
    if estimated:
        notes.append(f"image sizes estimated (unverified) for {', '.join(estimated)}")
    unsized = [d.version for d in downloads if d.size_mb is None]
    if unsized:
        notes.append(f"image sizes unknown for {', '.join(unsized)}")
    if hops and _minutes(ctx) is None:
        notes.append("no install/reboot durations in the matrix")
    if (
        ctx.matrix.upgrade
        and ctx.matrix.upgrade.last_release_by_model
        and ctx.matrix.last_release_for(ctx.model) is None
    ):
        notes.append(f"no last-supported-release data for model {ctx.model}")
    return notes


# --- entry point ------------------------------------------------------------------------------------------


def _via_versions(ctx: _Context, via: Sequence[str] | str) -> tuple[list[Version], list[str]]:
    texts = [t.strip() for t in via.split(",")] if isinstance(via, str) else [t.strip() for t in via]
    versions, bad = [], []
    for text in texts:
        try:
            versions.append(ctx.v(text))
        except ValueError as exc:
            bad.append(f"unknown hop release {text!r}: {exc}")
    return versions, bad


class _NoPath(Exception):
    """Raised inside the planner when no path can exist; becomes a FAIL plan without hops."""


def _resolve(ctx: _Context, text: str, role: str, notes: list[str]) -> Version:
    """The version `text` names; a bare feature release target means the release to stop at in it."""
    try:
        version = ctx.v(text)
    except ValueError as exc:
        raise _NoPath(f"unknown {role} release {text!r}: {exc}") from None
    if ctx.matrix.release(version.text) is None:
        raise _NoPath(
            f"unknown {role} release {version}: feature release {version.feature_release} is not in the matrix"
        )
    if version.exact or role == "current":
        return version
    landing = _landing(ctx, version.feature_release)
    if landing is None:
        raise _NoPath(f"unknown {role} release {version}: no image of {version.feature_release} in the matrix")
    notes.append(f"target {version} taken as {landing}, the release to stop at in {version.feature_release}")
    return landing


def _check_target(ctx: _Context, current: Version, target: Version) -> None:
    """Raise _NoPath for an unknown target image, a downgrade, or a target beyond the model's last release."""
    if target < current:
        raise _NoPath(f"{current} {ARROW} {target} is a downgrade: only upgrades are planned")
    failure = _unknown(ctx, target, "target") or _beyond_last(ctx, target)
    if failure:
        raise _NoPath(failure)


def _stops(
    ctx: _Context, current: Version, target: Version, via: Sequence[str] | str | None, notes: list[str]
) -> list[Version]:
    """The versions installed in turn, the target last: `via` as given, else the automatic path."""
    if via is not None:
        stops, failures = _via_versions(ctx, via)
    else:
        stops, failures, auto_notes = _auto_stops(ctx, current, target)
        notes += auto_notes
    if failures:
        raise _NoPath(failures[0])
    return stops if stops and stops[-1] == target else [*stops, target]


def plan_path(
    platform: str,
    model: str,
    current: str,
    target: str,
    matrix: Matrix,
    via: Sequence[str] | str | None = None,
) -> UpgradePlan:
    """Plan the upgrade of a `model` running `current` to `target`, or check the hops forced with `via`.

    `via` lists the intermediate versions (a sequence, or one comma-separated string); the target is added
    when it is not the last. The plan's verdict is FAIL, with a reason per broken rule, when no path exists or
    a hop breaks a rule; its hops are still listed for a forced path. Raises ValueError when `matrix` is not
    the `platform`'s.
    """
    if matrix.platform != platform:
        raise ValueError(f"matrix is for {matrix.platform!r}, not {platform!r}")
    ctx = _context(matrix, model)
    notes: list[str] = []
    try:
        running = _resolve(ctx, current, "current", notes)
        goal = _resolve(ctx, target, "target", notes)
        _check_target(ctx, running, goal)
        if goal == running:
            return UpgradePlan(
                platform, model, current, goal.text, (), Verdict.PASS, (), (f"already on {goal}", *notes)
            )
        stops = _stops(ctx, running, goal, via, notes)
    except _NoPath as refused:
        return UpgradePlan(platform, model, current, target, (), Verdict.FAIL, (str(refused),), tuple(notes))
    hops, violations, warnings = _hops(ctx, running, stops)
    verdict = Verdict.FAIL if violations else Verdict.WARN if warnings else Verdict.PASS
    all_notes = tuple(dict.fromkeys([*notes, *_plan_notes(ctx, hops)]))
    return UpgradePlan(
        platform, model, current, goal.text, hops, verdict, tuple(violations), all_notes, tuple(warnings)
    )


def upgrade_path_finding(plan: UpgradePlan) -> Finding:
    """The plan as a finding of check `upgrade_path`: a FAIL is a blocker, a WARN a warning.

    >>> plan = UpgradePlan("demo", "M-1", "10.1.9", "10.1.9", (), Verdict.PASS)
    >>> upgrade_path_finding(plan).message
    'already on 10.1.9'
    """
    severity = {Verdict.FAIL: Severity.BLOCKER, Verdict.WARN: Severity.WARNING}.get(plan.verdict, Severity.INFO)
    return Finding(UPGRADE_PATH, severity, plan.verdict, plan.reason)
