"""Known issues of a platform (shipped in its matrix, or a team's own local lessons) and their evidence."""

from __future__ import annotations

from datetime import date
from enum import Enum

from pydantic import Field, ValidationInfo, field_validator, model_validator

from tasks.matrix.base import Strict, Url, check_release, glob_matches
from tasks.versions import parse_version


class SourceKind(str, Enum):
    """Where a known issue comes from."""

    VENDOR_DOC = "vendor-doc"
    BUG = "bug"
    FIELD_REPORT = "field-report"


class IssueSource(Strict):
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
    """What must hold for a known issue to hit an optic; a known issue's `parts`, `types` and `ports` narrow it."""

    NON_OEM_OPTIC = "non_oem_optic"
    ANY_OPTIC = "any_optic"


class IssueSeverity(str, Enum):
    """A blocker makes the optic FAIL; a warning makes it WARN."""

    BLOCKER = "blocker"
    WARNING = "warning"


class KnownIssue(Strict):
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
    # Port-name globs as the device prints them (`x5`); empty = any port. For issues tied to ports whose
    # printed type or part cannot tell the affected module apart.
    ports: list[str] = Field(default_factory=list)
    severity: IssueSeverity
    message: str
    references: list[Url] = Field(default_factory=list)
    source: IssueSource
    local: bool = False

    _releases = field_validator("from_release", "fixed_in")(check_release)

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
        return glob_matches(self.models, model)

    def concerns(self, part: str, type_: str, port: str = "") -> bool:
        """Whether the issue's `parts`, `types` and `ports` globs (when given) match an optic's part, type and port.

        >>> issue = KnownIssue.model_construct(parts=[], types=[], ports=["x5", "x6"])
        >>> issue.concerns("ANY", "10GBASE-SR", "X5"), issue.concerns("ANY", "10GBASE-SR", "x1")
        (True, False)
        """
        if self.parts and not glob_matches(self.parts, part):
            return False
        if self.ports and not glob_matches(self.ports, port):
            return False
        return not self.types or glob_matches(self.types, type_)


class LocalLessons(Strict):
    """A team's own known issues for one platform (`matrices/local/*.yaml`)."""

    platform: str
    description: str | None = None
    known_issues: list[KnownIssue] = Field(min_length=1)
