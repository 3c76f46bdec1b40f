"""`Matrix`: one platform's support data (optics, releases, known issues, images, upgrade rules) and its queries."""

from __future__ import annotations

from typing import Any

from pydantic import Field, ValidationInfo, field_validator, model_validator

from tasks.matrix.base import Strict
from tasks.matrix.issues import KnownIssue
from tasks.matrix.optics import OemRule, Optic
from tasks.matrix.releases import Image, LastRelease, ModelPath, Release, Upgrade
from tasks.versions import parse_version


class Matrix(Strict):
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
        return bool(self.optics_for(part)) if decided is None else decided

    def is_coded(self, part: str) -> bool:
        """Whether `part` is one of the vendor's: listed in the matrix or shaped like a coded part. A third-party
        optic reporting such a part is a coded ("compatible") optic."""
        return bool(self.optics_for(part)) or self.oem.looks_coded(part)
