"""The optics part of a matrix: supported parts by model and release, and how the OS reports an OEM optic."""

from __future__ import annotations

import re
from datetime import date

from pydantic import Field, field_validator, model_validator

from tasks.matrix.base import Regex, Strict, Tag, check_release, glob_matches


class OemRule(Strict):
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


class Optic(Strict):
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

    _releases = field_validator("from_release", "until_release")(check_release)

    @model_validator(mode="after")
    def _unverifiedneeds_note(self) -> Optic:
        if self.status == "unverified" and not self.note:
            raise ValueError("an unverified optic needs a note saying what is not verified")
        return self

    @property
    def verified(self) -> bool:
        """True when the entry's facts were read in a cited source."""
        return self.status == "src"

    def fits(self, model: str) -> bool:
        """Whether the entry covers `model`."""
        return glob_matches(self.models, model)
