"""The optics part of a matrix: supported parts by model and release, and how the OS reports an OEM optic."""

from __future__ import annotations

import re
from datetime import date

from pydantic import Field, field_validator, model_validator

from tasks.matrix.base import Regex, Strict, Tag, check_release, glob_matches


class GenuinePairing(Strict):
    """A vendor name and part number that the platform vendor's own optic prints although the vendor name is not
    one of the rule's OEM names (PR #111: some optics PAN supports do not report `OEM`). Matches that exact
    pairing only, case and padding ignored. `status` is the reference tag; an `unverified` pairing needs a note
    saying what source is missing."""

    vendor: str = Field(min_length=1)
    part: str = Field(min_length=1)
    status: Tag
    source: str = Field(min_length=1)
    note: str | None = None

    @model_validator(mode="after")
    def _unverified_needs_note(self) -> GenuinePairing:
        if self.status == "unverified" and not self.note:
            raise ValueError("an unverified genuine pairing needs a note saying what source is missing")
        return self

    def matches(self, vendor: str, part: str) -> bool:
        """Whether `vendor` and `part` are this pairing."""
        return (vendor.strip().upper(), part.strip().upper()) == (self.vendor.strip().upper(), self.part.upper())


class OemRule(Strict):
    """How the platform reports an OEM (the platform vendor's own) optic.

    In order:
    1. A part in `third_party_parts` (what the OS prints in place of a vendor part: IOS `Unspecified`, Junos
       `NON-JNPR`) is third-party.
    2. A pairing listed in `genuine` (vendor name and part, with its source) is OEM.
    3. Where the OS prints a vendor name and the rule names the OEM ones (`vendor_names`, `vendor_patterns`),
       the vendor name decides. A third-party vendor name with the vendor's part number (FS with
       `PAN-SFP-PLUS-SR`, a third party's `...FTN` part) is a coded optic: third-party.
    4. Otherwise (no vendor name printed, or a rule that names none: Junos prints the maker for its own optics
       too) the part decides, but only with `part_number_decides`: a part matching `part_patterns` or listed in
       the matrix's optics is OEM. Without it, the optic is third-party.

    `part_patterns` also say what a part coded for the vendor looks like (FortiOS `...FTN`, Junos `740-`), so a
    report can name a coded optic. Names and parts compare case-insensitively, padding ignored.
    """

    vendor_names: list[str] = Field(default_factory=list)
    vendor_patterns: list[Regex] = Field(default_factory=list)
    part_patterns: list[Regex] = Field(default_factory=list)
    third_party_parts: list[str] = Field(default_factory=list)
    part_number_decides: bool = True
    genuine: list[GenuinePairing] = Field(default_factory=list)
    note: str | None = None

    @model_validator(mode="after")
    def _some_rule(self) -> OemRule:
        if not (self.vendor_names or self.vendor_patterns or self.part_number_decides):
            raise ValueError(
                "give vendor_names, vendor_patterns or part_number_decides: true "
                "(part_patterns alone make no optic OEM)"
            )
        return self

    def names_vendor(self, vendor: str) -> bool:
        """Whether `vendor` is one of the OEM vendor names (or matches a pattern)."""
        wanted = vendor.strip().upper()
        if wanted and wanted in {n.strip().upper() for n in self.vendor_names}:
            return True
        return bool(wanted) and any(re.search(p, vendor.strip(), re.IGNORECASE) for p in self.vendor_patterns)

    def looks_coded(self, part: str) -> bool:
        """Whether `part` looks like a part coded for the platform vendor (matches a `part_patterns` regex)."""
        return bool(part.strip()) and any(re.search(p, part.strip(), re.IGNORECASE) for p in self.part_patterns)

    def marks_oem(self, vendor: str, part: str) -> bool | None:
        """True or False when the rule decides from the reported strings alone; None when the part decides
        and only the matrix's optics list can say (see the class docstring).

        >>> rule = OemRule(vendor_names=["OEM"], part_number_decides=False)
        >>> rule.marks_oem("OEM", "PAN-SFP-PLUS-SR"), rule.marks_oem("FS", "PAN-SFP-PLUS-SR")
        (True, False)
        """
        part_u = part.strip().upper()
        if part_u and part_u in {p.strip().upper() for p in self.third_party_parts}:
            return False
        if any(g.matches(vendor, part) for g in self.genuine):
            return True
        if vendor.strip() and (self.vendor_names or self.vendor_patterns):
            return self.names_vendor(vendor)
        if not self.part_number_decides:
            return False
        return True if self.looks_coded(part) else None


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
