"""Support matrices, local lessons learned and customer waivers: YAML files loaded into checked models.

Files and shapes (every mapping rejects unknown keys; every error is one line naming the file and the path
inside it, raised as `tasks.errors.MatrixError`):

- ``matrices/<platform>.yaml`` -> `Matrix`: ``platform``, ``oem`` (how the OS reports an OEM optic),
  ``optics`` (supported parts by model glob and release range), ``releases`` (feature releases with GA and
  end-of-life dates, and optionally each release's ``base_image`` and ``recommended`` stop), ``known_issues``
  (from release X, on models M, condition C: blocker or warning), and the optional upgrade-path data:
  ``images`` (downloadable images with release dates and sizes) and ``upgrade`` (skip and base-image rules,
  last supported release per model, per-model paths, durations, image-size estimates). Every upgrade-path
  section and field is optional, so a matrix without them keeps loading unchanged.
- ``matrices/local/*.yaml`` -> `LocalLessons`: a team's own known issues for one platform, merged into that
  platform's matrix and marked ``local``.
- ``inventory/<customer>/waivers.yaml`` -> list of `Waiver`: an approved third-party part, or a device
  (and optionally one port) exception, with a reason, an approver and an expiry date.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from tasks.errors import MatrixError
from tasks.models import Transceiver
from tasks.versions import SCHEMES, parse_version

LOCAL_DIR = "local"


# --- YAML reading -----------------------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text (the schema parses them, so a bad date is a schema error naming
    its path, not a YAML crash) and rejects duplicate keys."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def display_path(path: Path) -> str:
    """`path` relative to the working directory when it lies below it, else as given."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _read_yaml(path: Path) -> Any:
    """The YAML document in `path`; MatrixError (one line, with line and column) when it cannot be read."""
    where = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MatrixError(f"{where}: cannot read: {exc.strerror or exc}") from None
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        position = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
        raise MatrixError(f"{where}: {position}YAML syntax error: {problem}") from None
    except yaml.YAMLError as exc:
        raise MatrixError(f"{where}: YAML error: {' '.join(str(exc).split())}") from None


def _loc(loc: Sequence[int | str]) -> str:
    """('optics', 3, 'models') -> 'optics[3].models'."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _describe(error: Any) -> str:
    kind, msg, given = error["type"], error["msg"], error.get("input")
    if kind == "missing":
        return "field required"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind.startswith("date") or kind.startswith("datetime"):
        return f"invalid date {given!r}"
    if kind == "value_error":
        return str(msg).removeprefix("Value error, ")
    return f"{msg[0].lower()}{msg[1:]} (got {given!r})"


def _validation_error(where: str, exc: ValidationError) -> MatrixError:
    errors = exc.errors()
    first = errors[0]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return MatrixError(f"{where}: {_loc(first['loc'])}: {_describe(first)}{more}")


# --- schema -----------------------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_release(value: str | None, info: ValidationInfo) -> str | None:
    """A release field must parse in the version scheme of the file's platform."""
    if value is None:
        return None
    scheme = (info.context or {}).get("scheme")
    if scheme:
        parse_version(value, scheme)  # ValueError -> schema error naming the value
    return value


def _glob_matches(globs: Sequence[str], model: str) -> bool:
    """Whether `model` matches any glob, case-insensitively.

    >>> _glob_matches(["PA-32*", "PA-5250"], "pa-3220"), _glob_matches(["PA-52*"], "PA-3220")
    (True, False)
    """
    return any(fnmatch.fnmatchcase(model.strip().upper(), glob.strip().upper()) for glob in globs)


Tag = Literal["src", "unverified"]


def _url(value: str) -> str:
    if not value.startswith(("https://", "http://")):
        raise ValueError(f"not an http(s) URL: {value!r}")
    return value


Url = Annotated[str, AfterValidator(_url)]


def _regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression {value!r}: {exc}") from None
    return value


Regex = Annotated[str, AfterValidator(_regex)]


class OemRule(_Strict):
    """How the platform reports an OEM (the platform vendor's own) optic.

    An optic is third-party when its part is one of `third_party_parts` (what the OS prints in place of a
    vendor part: IOS `Unspecified`, Junos `NON-JNPR`). Otherwise it is OEM when its vendor name is one of
    `vendor_names` or matches a `vendor_patterns` regex, when its part matches a `part_patterns` regex
    (FortiOS `...FTN`), or (with `part_number_decides`) when its part is listed in the matrix's optics.
    Names and parts compare case-insensitively, padding ignored.
    """

    vendor_names: list[str] = Field(default_factory=list)
    vendor_patterns: list[Regex] = Field(default_factory=list)
    part_patterns: list[Regex] = Field(default_factory=list)
    third_party_parts: list[str] = Field(default_factory=list)
    part_number_decides: bool = True
    note: str | None = None

    @model_validator(mode="after")
    def _some_rule(self) -> OemRule:
        if not (self.vendor_names or self.vendor_patterns or self.part_patterns or self.part_number_decides):
            raise ValueError("give vendor_names, vendor_patterns, part_patterns or part_number_decides: true")
        return self

    def marks_oem(self, vendor: str, part: str) -> bool | None:
        """True or False when the rule decides from the reported strings alone, None when it does not."""
        vendor_u, part_u = vendor.strip().upper(), part.strip().upper()
        if part_u and part_u in {p.strip().upper() for p in self.third_party_parts}:
            return False
        if vendor_u and vendor_u in {n.strip().upper() for n in self.vendor_names}:
            return True
        if any(re.search(p, vendor.strip(), re.IGNORECASE) for p in self.vendor_patterns):
            return True
        if part_u and any(re.search(p, part.strip(), re.IGNORECASE) for p in self.part_patterns):
            return True
        return None


class Optic(_Strict):
    """A vendor optic, by part number, and the models and releases it is supported on.

    `models` are globs (`PA-32*`, `PA-5250`, `*`); `until_release` is inclusive and may be a feature release
    (`11.1` covers every 11.1.x). `status` is the reference tag: `src` (read in a cited source) or
    `unverified` (a note says what is missing). A part may appear in several entries with other scopes.
    """

    part: str = Field(min_length=1)
    type: str
    description: str
    models: list[str] = Field(min_length=1)
    from_release: str | None = None
    until_release: str | None = None
    status: Tag
    source: str
    note: str | None = None
    end_of_sale: date | None = None
    end_of_life: date | None = None

    _releases = field_validator("from_release", "until_release")(_check_release)

    @model_validator(mode="after")
    def _unverified_needs_note(self) -> Optic:
        if self.status == "unverified" and not self.note:
            raise ValueError("an unverified optic needs a note saying what is not verified")
        return self

    @property
    def verified(self) -> bool:
        """True when the entry's facts were read in a cited source."""
        return self.status == "src"

    def fits(self, model: str) -> bool:
        """Whether the entry covers `model`."""
        return _glob_matches(self.models, model)


def _needs_note(status: str | None, note: str | None, what: str) -> None:
    """An unverified fact must say, in its note, what is not verified."""
    if status == "unverified" and not note:
        raise ValueError(f"an unverified {what} needs a note saying what is not verified")


def _same_release(version: str | None, release: str, info: ValidationInfo, field: str) -> None:
    """`version` must belong to feature release `release` (checked when the file's scheme is known)."""
    scheme = (info.context or {}).get("scheme")
    if scheme and version is not None:
        got = parse_version(version, scheme).feature_release
        if got != parse_version(release, scheme).feature_release:
            raise ValueError(f"{field} {version!r} is not a release of {release}")


class Recommended(_Strict):
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

    _version = field_validator("version")(_check_release)

    @model_validator(mode="after")
    def _unverified_needs_note(self) -> Recommended:
        _needs_note(self.status, self.note, "recommendation")
        return self


class Release(_Strict):
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

    _release = field_validator("release", "base_image")(_check_release)

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> Release:
        _same_release(self.base_image, self.release, info, "base_image")
        if self.recommended is not None:
            _same_release(self.recommended.version, self.release, info, "recommended.version")
        _needs_note(self.base_image_status, self.note, "base_image")
        return self


class Image(_Strict):
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

    _version = field_validator("version")(_check_release)

    @model_validator(mode="after")
    def _tags(self) -> Image:
        if (self.size_mb is None) != (self.size_status is None):
            raise ValueError("give size_mb and size_status together")
        _needs_note(self.status, self.note, "image")
        _needs_note(self.size_status, self.note, "image size")
        return self


class UpgradeRules(_Strict):
    """How far one install may jump, and what must be downloaded first.

    - `no_skip_until`: through this feature release no feature release may be skipped (PAN-OS 9.1).
    - `skip_from`: a hop may skip releases only when the running release is at least this one; below it, none.
    - `max_skipped_releases`: at most this many feature releases skipped per hop (none given: no limit).
    - `release_sequence`: the releases a skipping hop may start and end on (empty: every listed release).
    - `base_image_required`: download a feature release's base image before installing a later image of it.
    - `base_image_only_as_target`: never install a base image as an intermediate hop.
    - `release_date_rule`: no hop to a build released before the running one (FortiOS).
    """

    no_skip_until: str | None = None
    skip_from: str | None = None
    max_skipped_releases: int | None = Field(default=None, ge=0)
    release_sequence: list[str] = Field(default_factory=list)
    base_image_required: bool = False
    base_image_only_as_target: bool = False
    release_date_rule: bool = False
    status: Tag = "src"
    source: str | None = None
    note: str | None = None

    _releases = field_validator("no_skip_until", "skip_from")(_check_release)

    @field_validator("release_sequence")
    @classmethod
    def _sequence_parses(cls, values: list[str], info: ValidationInfo) -> list[str]:
        for value in values:
            _check_release(value, info)
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
        _needs_note(self.status, self.note, "rule set")
        return self


class LastRelease(_Strict):
    """Models (globs) and the last feature release they support, with the hardware's own dates."""

    models: list[str] = Field(min_length=1)
    last_release: str
    end_of_sale: date | None = None
    end_of_life: date | None = None
    status: Tag
    source: str
    note: str | None = None

    _release = field_validator("last_release")(_check_release)

    @model_validator(mode="after")
    def _unverified_needs_note(self) -> LastRelease:
        _needs_note(self.status, self.note, "last release")
        return self

    def fits(self, model: str) -> bool:
        """Whether the entry covers `model`."""
        return _glob_matches(self.models, model)


class ModelPath(_Strict):
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
            _check_release(value, info)
        return values

    @model_validator(mode="after")
    def _unverified_needs_note(self) -> ModelPath:
        _needs_note(self.status, self.note, "path")
        return self

    def fits(self, model: str) -> bool:
        """Whether the path is documented for `model`."""
        return _glob_matches(self.models, model)


class Durations(_Strict):
    """Minutes one install and one reboot take, for planning a maintenance window."""

    install_minutes: int = Field(ge=0)
    reboot_minutes: int = Field(ge=0)
    status: Tag
    source: str
    note: str | None = None

    @model_validator(mode="after")
    def _unverified_needs_note(self) -> Durations:
        _needs_note(self.status, self.note, "duration")
        return self


class SizeEstimate(_Strict):
    """The size assumed for an image whose own size is not in the matrix (base and other images)."""

    base_mb: int = Field(gt=0)
    other_mb: int = Field(gt=0)
    status: Tag
    source: str
    note: str | None = None

    @model_validator(mode="after")
    def _unverified_needs_note(self) -> SizeEstimate:
        _needs_note(self.status, self.note, "size estimate")
        return self


class Upgrade(_Strict):
    """Upgrade-path data of a platform; see `tasks.checks.upgrade_path` for how it is used.

    `images_complete` says the matrix's `images` list every downloadable image (as of `images_as_of`), so a
    target or hop that is not listed is unknown; otherwise the list is a subset and only the feature release
    is checked.
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


class SourceKind(str, Enum):
    """Where a known issue comes from."""

    VENDOR_DOC = "vendor-doc"
    BUG = "bug"
    FIELD_REPORT = "field-report"


class IssueSource(_Strict):
    """The evidence behind a known issue: a vendor document, a bug ID, or a field report."""

    kind: SourceKind
    title: str | None = None
    url: str | None = None
    bug_id: str | None = None
    reported_by: str | None = None
    reported_on: date | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _bug_needs_id(self) -> IssueSource:
        if self.kind is SourceKind.BUG and not self.bug_id:
            raise ValueError("a source of kind 'bug' needs a bug_id")
        return self


class Condition(str, Enum):
    """What must hold for a known issue to hit an optic; a known issue's `parts` and `types` narrow it."""

    NON_OEM_OPTIC = "non_oem_optic"
    ANY_OPTIC = "any_optic"


class IssueSeverity(str, Enum):
    """A blocker makes the optic FAIL; a warning makes it WARN."""

    BLOCKER = "blocker"
    WARNING = "warning"


class KnownIssue(_Strict):
    """From `from_release` (until `fixed_in`, exclusive), on `models`, `condition` is a blocker or warning."""

    id: str = Field(min_length=1)
    title: str
    platform: str
    from_release: str
    fixed_in: str | None = None
    models: list[str] = Field(default_factory=lambda: ["*"], min_length=1)
    condition: Condition
    parts: list[str] = Field(default_factory=list)  # part-number globs; empty = any part
    types: list[str] = Field(default_factory=list)  # optic-type globs (`25GBASE-CR*`); empty = any type
    severity: IssueSeverity
    message: str
    references: list[Url] = Field(default_factory=list)
    source: IssueSource
    local: bool = False

    _releases = field_validator("from_release", "fixed_in")(_check_release)

    @field_validator("platform")
    @classmethod
    def _same_platform(cls, value: str, info: ValidationInfo) -> str:
        expected = (info.context or {}).get("platform")
        if expected and value != expected:
            raise ValueError(f"platform {value!r} does not match the file's platform {expected!r}")
        return value

    @field_validator("local")
    @classmethod
    def _local_is_set_by_loader(cls, value: bool, info: ValidationInfo) -> bool:
        if value and not (info.context or {}).get("allow_local"):
            raise ValueError("set by the loader for matrices/local/*.yaml; do not write it in a file")
        return value

    @model_validator(mode="after")
    def _fixed_after_from(self, info: ValidationInfo) -> KnownIssue:
        scheme = (info.context or {}).get("scheme")
        if (
            scheme
            and self.fixed_in
            and parse_version(self.fixed_in, scheme) <= parse_version(self.from_release, scheme)
        ):
            raise ValueError(f"fixed_in {self.fixed_in!r} is not after from_release {self.from_release!r}")
        return self

    def fits(self, model: str) -> bool:
        """Whether the issue concerns `model`."""
        return _glob_matches(self.models, model)

    def concerns(self, part: str, type_: str) -> bool:
        """Whether the issue's `parts` and `types` globs (when given) match an optic's part and type."""
        if self.parts and not _glob_matches(self.parts, part):
            return False
        return not self.types or _glob_matches(self.types, type_)


class Matrix(_Strict):
    """One platform's support data. New kinds of data are new sections; existing ones keep their shape."""

    platform: str
    oem: OemRule
    optics: list[Optic] = Field(default_factory=list)
    releases: list[Release] = Field(default_factory=list)
    known_issues: list[KnownIssue] = Field(default_factory=list)
    images: list[Image] = Field(default_factory=list)
    upgrade: Upgrade | None = None

    @field_validator("platform")
    @classmethod
    def _platform_matches_file(cls, value: str, info: ValidationInfo) -> str:
        expected = (info.context or {}).get("platform")
        if expected and value != expected:
            raise ValueError(f"platform {value!r} does not match the file name (expected {expected!r})")
        return value

    @field_validator("known_issues")
    @classmethod
    def _unique_issue_ids(cls, issues: list[KnownIssue]) -> list[KnownIssue]:
        first: dict[str, int] = {}
        for i, issue in enumerate(issues):
            if issue.id in first:
                raise ValueError(f"id {issue.id!r} appears twice (items {first[issue.id]} and {i})")
            first[issue.id] = i
        return issues

    @field_validator("images")
    @classmethod
    def _images_of_listed_releases(cls, images: list[Image], info: ValidationInfo) -> list[Image]:
        scheme = (info.context or {}).get("scheme")
        if not scheme:
            return images
        releases = {parse_version(r.release, scheme).feature_release: r for r in info.data.get("releases", [])}
        seen: dict[Any, int] = {}
        for i, image in enumerate(images):
            version = parse_version(image.version, scheme)
            if version in seen:
                raise ValueError(f"[{i}] version {image.version!r} appears twice (items {seen[version]} and {i})")
            seen[version] = i
            release = releases.get(version.feature_release)
            if release is None:
                raise ValueError(f"[{i}] version {image.version!r}: feature release not in releases")
            is_base = release.base_image is not None and parse_version(release.base_image, scheme) == version
            if image.base != is_base:
                raise ValueError(
                    f"[{i}] version {image.version!r}: base is {image.base} but the release's base_image is "
                    f"{release.base_image!r}"
                )
        return images

    @model_validator(mode="after")
    def _recommended_are_images(self) -> Matrix:
        if self.upgrade is None or not self.upgrade.images_complete:
            return self
        for i, entry in enumerate(self.releases):
            if entry.recommended and self.image(entry.recommended.version) is None:
                raise ValueError(
                    f"releases[{i}].recommended.version {entry.recommended.version!r} is not in images, "
                    "which upgrade.images_complete says is complete"
                )
        return self

    def release(self, version: str) -> Release | None:
        """The `releases` entry of the feature release `version` belongs to, or None.

        Raises ValueError naming the value when `version` is not a version of this platform.
        """
        wanted = parse_version(version, self.platform).feature_release
        for entry in self.releases:
            if parse_version(entry.release, self.platform).feature_release == wanted:
                return entry
        return None

    def image(self, version: str) -> Image | None:
        """The `images` entry of exactly `version`, or None (ValueError when `version` does not parse)."""
        wanted = parse_version(version, self.platform)
        return next((i for i in self.images if parse_version(i.version, self.platform) == wanted), None)

    def last_release_for(self, model: str) -> LastRelease | None:
        """The most restrictive `last_release_by_model` entry covering `model`, or None when none does."""
        if self.upgrade is None:
            return None
        entries = [e for e in self.upgrade.last_release_by_model if e.fits(model)]
        return min(entries, key=lambda e: parse_version(e.last_release, self.platform), default=None)

    def path_for(self, model: str) -> ModelPath | None:
        """The first documented per-model path covering `model`, or None."""
        if self.upgrade is None:
            return None
        return next((p for p in self.upgrade.paths if p.fits(model)), None)

    def knows_release(self, version: str) -> bool:
        """Whether `version` is a version of this platform whose feature release is listed in `releases`."""
        try:
            wanted = parse_version(version, self.platform).feature_release
        except ValueError:
            return False
        return any(parse_version(r.release, self.platform).feature_release == wanted for r in self.releases)

    def optics_for(self, part: str) -> list[Optic]:
        """The entries for a part number (case and padding ignored)."""
        wanted = part.strip().upper()
        return [o for o in self.optics if o.part.upper() == wanted] if wanted else []

    def is_oem(self, vendor: str, part: str) -> bool:
        """Whether an optic reporting `vendor` and `part` is the platform vendor's own (see `OemRule`)."""
        decided = self.oem.marks_oem(vendor, part)
        if decided is not None:
            return decided
        return self.oem.part_number_decides and bool(self.optics_for(part))


class LocalLessons(_Strict):
    """A team's own known issues for one platform (`matrices/local/*.yaml`)."""

    platform: str
    description: str | None = None
    known_issues: list[KnownIssue] = Field(min_length=1)


class Waiver(_Strict):
    """A customer-approved exception: a part anywhere, or a device (and optionally one of its ports).

    It applies through its `expires` date. It accepts the known issues it lists by id, and no others.
    """

    part: str | None = None
    device: str | None = None
    port: str | None = None
    reason: str = Field(min_length=1)
    approved_by: str = Field(min_length=1)
    expires: date
    known_issues: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _part_or_device(self) -> Waiver:
        if bool(self.part) == bool(self.device):
            raise ValueError("give either part or device (with an optional port), not both or neither")
        if self.port and not self.device:
            raise ValueError("port needs a device")
        return self

    def is_active(self, today: date) -> bool:
        """True through the expiry date, False after it."""
        return today <= self.expires

    def covers(self, device: str, transceiver: Transceiver) -> bool:
        """Whether the waiver names this optic's part, or this device (and port)."""
        if self.part:
            return self.part.strip().upper() == transceiver.part.strip().upper()
        if self.device != device:
            return False
        return self.port is None or self.port == transceiver.port

    def describe(self) -> str:
        """`waiver for part X: reason (approved by A, expires D)`."""
        scope = (
            f"part {self.part}" if self.part else f"device {self.device}" + (f" port {self.port}" if self.port else "")
        )
        return f"waiver for {scope}: {self.reason} (approved by {self.approved_by}, expires {self.expires})"


class _WaiverFile(_Strict):
    waivers: list[Waiver] = Field(default_factory=list)


# --- loading ----------------------------------------------------------------------------------------------


def _validate(model: type[BaseModel], data: Any, path: Path, context: dict[str, Any]) -> Any:
    where = display_path(path)
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        raise MatrixError(f"{where}: (top level): expected a mapping, the file is {kind}")
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        raise _validation_error(where, exc) from None


def load_matrix(platform: str, matrices_dir: Path) -> Matrix:
    """Load `matrices_dir/<platform>.yaml` and merge the platform's `matrices_dir/local/*.yaml` lessons.

    Local issues are marked `local=True`. Raises MatrixError (one line: file and path inside it) on any
    problem, including a missing matrix file or an issue id defined twice across files.
    """
    path = matrices_dir / f"{platform}.yaml"
    if platform not in SCHEMES:
        known = ", ".join(sorted(SCHEMES))
        raise MatrixError(f"{display_path(path)}: no version scheme for platform {platform!r} (known: {known})")
    if not path.is_file():
        raise MatrixError(f"{display_path(path)}: no matrix for platform {platform!r} (file not found)")
    context = {"platform": platform, "scheme": platform}
    matrix: Matrix = _validate(Matrix, _read_yaml(path), path, context)
    issues = list(matrix.known_issues)
    origin = {issue.id: path for issue in issues}
    for local_path in sorted((matrices_dir / LOCAL_DIR).glob("*.yaml")):
        data = _read_yaml(local_path)
        if isinstance(data, dict) and data.get("platform") != platform:
            continue  # another platform's lessons
        lessons: LocalLessons = _validate(LocalLessons, data, local_path, {**context, "allow_local": True})
        for i, issue in enumerate(lessons.known_issues):
            if issue.id in origin:
                raise MatrixError(
                    f"{display_path(local_path)}: known_issues[{i}].id: {issue.id!r} is already defined in "
                    f"{display_path(origin[issue.id])}"
                )
            origin[issue.id] = local_path
            issues.append(issue.model_copy(update={"local": True}))
    return matrix.model_copy(update={"known_issues": issues})


def load_waivers(path: Path) -> list[Waiver]:
    """The waivers in a customer's `waivers.yaml`; a missing or empty file means no waivers.

    Expired waivers are returned too (reports may list them); `Waiver.is_active(today)` decides.
    """
    if not path.exists():
        return []
    data = _read_yaml(path)
    if data is None:
        return []
    parsed: _WaiverFile = _validate(_WaiverFile, data, path, {})
    return list(parsed.waivers)


def active_waivers(waivers: Sequence[Waiver], today: date) -> list[Waiver]:
    """The waivers that still apply on `today`."""
    return [w for w in waivers if w.is_active(today)]
