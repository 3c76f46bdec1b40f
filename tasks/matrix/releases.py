"""The release part of a matrix: feature releases, images, and the upgrade-path rules between them."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from tasks.matrix.base import Strict, Tag, check_release, glob_matches, needs_note, same_release
from tasks.versions import parse_version


class Recommended(Strict):
    """The release to stop at when a path passes through a feature release.

    `basis` says why: the vendor's `preferred` flag (observed on `as_of`), or the `latest` image of the release
    on `as_of` (the vendor's documented advice when no release is flagged).
    """

    version: str
    basis: Literal["preferred", "latest"]
    as_of: date
    status: Tag
    source: str
    note: str | None = None

    _version = field_validator("version")(check_release)

    @model_validator(mode="after")
    def _unverifiedneeds_note(self) -> Recommended:
        needs_note(self.status, self.note, "recommendation")
        return self


class Release(Strict):
    """A feature release (`X.Y`) with its GA and end-of-life dates.

    Optional upgrade-path data: `base_image` (the image to download before a later image of this release is
    installed; not always X.Y.0), with its own tag `base_image_status` when it differs from `status`, and
    `recommended` (where a path passing through this release stops).
    """

    release: str
    ga: date | None = None
    end_of_life: date | None = None
    status: Tag
    source: str
    note: str | None = None
    base_image: str | None = None
    base_image_status: Tag | None = None
    recommended: Recommended | None = None

    _release = field_validator("release", "base_image")(check_release)

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> Release:
        same_release(self.base_image, self.release, info, "base_image")
        if self.recommended is not None:
            same_release(self.recommended.version, self.release, info, "recommended.version")
        needs_note(self.base_image_status, self.note, "base_image")
        return self


class Image(Strict):
    """A downloadable software image: its version, release date, size and whether it is a base image.

    `status` tags the version and date; `size_status` tags `size_mb` (required when a size is given). An image
    without a size is sized by `Upgrade.image_size_estimate`.
    """

    version: str
    released: date | None = None
    base: bool = False
    size_mb: int | None = Field(default=None, gt=0)
    size_status: Tag | None = None
    status: Tag
    source: str | None = None
    note: str | None = None

    _version = field_validator("version")(check_release)

    @model_validator(mode="after")
    def _tags(self) -> Image:
        if (self.size_mb is None) != (self.size_status is None):
            raise ValueError("give size_mb and size_status together")
        needs_note(self.status, self.note, "image")
        needs_note(self.size_status, self.note, "image size")
        return self


class UpgradeRules(Strict):
    """How far one install may jump, and what must be downloaded first.

    - `no_skip_until`: through this feature release no feature release may be skipped (PAN-OS 9.1).
    - `skip_from`: a hop may skip releases only when the running release is at least this one; below it, none.
    - `max_skipped_releases`: at most this many feature releases skipped per hop (none given: no limit).
    - `release_sequence`: the releases a skipping hop may start and end on (empty: every listed release).
    - `base_image_required`: download a feature release's base image before installing a later image of it.
    - `base_image_only_as_target`: never install a base image as an intermediate hop.
    - `release_date_rule`: no hop to a build released before the running one (FortiOS).
    - `latest_maintenance_first`: the source of the advice to install the running feature release's
      recommended (latest maintenance) release before leaving it; given, the planned path starts there.
    - `unverified_rules`: the rules above whose source is missing although the rule set is tagged `src`; the
      note must say which source is missing.
    """

    no_skip_until: str | None = None
    skip_from: str | None = None
    max_skipped_releases: int | None = Field(default=None, ge=0)
    release_sequence: list[str] = Field(default_factory=list)
    base_image_required: bool = False
    base_image_only_as_target: bool = False
    release_date_rule: bool = False
    latest_maintenance_first: str | None = None
    unverified_rules: list[str] = Field(default_factory=list)
    status: Tag = "src"
    source: str | None = None
    note: str | None = None

    _releases = field_validator("no_skip_until", "skip_from")(check_release)

    @field_validator("release_sequence")
    @classmethod
    def _sequence_parses(cls, values: list[str], info: ValidationInfo) -> list[str]:
        for value in values:
            check_release(value, info)
        return values

    @model_validator(mode="after")
    def _ordered(self, info: ValidationInfo) -> UpgradeRules:
        scheme = (info.context or {}).get("scheme")
        if (
            scheme
            and self.no_skip_until
            and self.skip_from
            and parse_version(self.no_skip_until, scheme) >= parse_version(self.skip_from, scheme)
        ):
            raise ValueError(f"no_skip_until {self.no_skip_until!r} is not before skip_from {self.skip_from!r}")
        if scheme and self.release_sequence:
            versions = [parse_version(v, scheme) for v in self.release_sequence]
            if versions != sorted(set(versions)):
                raise ValueError("release_sequence must be in ascending order without repeats")
        needs_note(self.status, self.note, "rule set")
        unknown = [name for name in self.unverified_rules if name not in _RULE_NAMES]
        if unknown:
            raise ValueError(f"unverified_rules names no rule: {', '.join(unknown)}")
        if self.unverified_rules:
            needs_note("unverified", self.note, "rule")
        return self


_RULE_NAMES = frozenset(
    {"no_skip_until", "skip_from", "max_skipped_releases", "release_sequence", "base_image_required",
     "base_image_only_as_target", "release_date_rule", "latest_maintenance_first"}
)  # fmt: skip


class LastRelease(Strict):
    """Models (globs) and the last feature release they support, with the hardware's own dates."""

    models: list[str] = Field(min_length=1)
    last_release: str
    end_of_sale: date | None = None
    end_of_life: date | None = None
    status: Tag
    source: str
    note: str | None = None

    _release = field_validator("last_release")(check_release)

    @model_validator(mode="after")
    def _unverifiedneeds_note(self) -> LastRelease:
        needs_note(self.status, self.note, "last release")
        return self

    def fits(self, model: str) -> bool:
        """Whether the entry covers `model`."""
        return glob_matches(self.models, model)


class ModelPath(Strict):
    """A vendor's documented path for some models: the builds to stop at, oldest first (FortiOS paths)."""

    models: list[str] = Field(min_length=1)
    versions: list[str] = Field(min_length=1)
    status: Tag
    source: str
    note: str | None = None

    @field_validator("versions")
    @classmethod
    def _versions_parse(cls, values: list[str], info: ValidationInfo) -> list[str]:
        for value in values:
            check_release(value, info)
        return values

    @model_validator(mode="after")
    def _unverifiedneeds_note(self) -> ModelPath:
        needs_note(self.status, self.note, "path")
        return self

    def fits(self, model: str) -> bool:
        """Whether the path is documented for `model`."""
        return glob_matches(self.models, model)


class Durations(Strict):
    """Minutes one install and one reboot take, for planning a maintenance window."""

    install_minutes: int = Field(ge=0)
    reboot_minutes: int = Field(ge=0)
    status: Tag
    source: str
    note: str | None = None

    @model_validator(mode="after")
    def _unverifiedneeds_note(self) -> Durations:
        needs_note(self.status, self.note, "duration")
        return self


class SizeEstimate(Strict):
    """The size assumed for an image whose own size is not in the matrix (base and other images)."""

    base_mb: int = Field(gt=0)
    other_mb: int = Field(gt=0)
    status: Tag
    source: str
    note: str | None = None

    @model_validator(mode="after")
    def _unverifiedneeds_note(self) -> SizeEstimate:
        needs_note(self.status, self.note, "size estimate")
        return self


class Upgrade(Strict):
    """Upgrade-path data of a platform; see `tasks.checks.upgrade_path` for how it is used.

    A target or hop build that `images` does not list is refused. `images_complete` says the list is every
    downloadable image (as of `images_as_of`); otherwise it holds the builds the sources gave, and a build
    missing from it is added with its source before it is planned.
    """

    os_name: str | None = None
    rules: UpgradeRules = Field(default_factory=UpgradeRules)
    last_release_by_model: list[LastRelease] = Field(default_factory=list)
    paths: list[ModelPath] = Field(default_factory=list)
    durations: Durations | None = None
    image_size_estimate: SizeEstimate | None = None
    images_complete: bool = False
    images_as_of: date | None = None
    images_source: str | None = None
    note: str | None = None
