"""A customer's standards (`inventory/<customer>/standards.yaml`) and the software check of a compliance run.

```yaml
approved_releases:            # per platform: releases (or globs) the customer runs; others are non-compliant
  paloalto_panos: ["10.2.10-h*", "11.1.4-h7"]
  fortinet: ["7.2.*", "7.4.8"]
```
A platform not listed has no approved list (only end of life is judged). The software check is FAIL when the
running release is past its end of life per the platform's matrix, or not approved; WARN when the matrix does
not know the release (end of life unknown); PASS otherwise.
"""

from __future__ import annotations

import fnmatch
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from tasks.errors import RulesError
from tasks.matrix import Matrix
from tasks.models import Verdict
from tasks.models.compliance import RuleResult
from tasks.yamlfile import YamlError, read_yaml, validate

STANDARDS_FILE = "standards.yaml"
SOFTWARE = "software"


class Standards(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    approved_releases: dict[str, list[str]] = Field(default_factory=dict)

    def approves(self, platform: str, version: str) -> bool | None:
        """Whether `version` is approved on `platform`; None when the customer lists none for it.

        >>> Standards(approved_releases={"os": ["10.2.*"]}).approves("os", "10.2.4-h4"), Standards().approves("os", "1")
        (True, None)
        """
        globs = self.approved_releases.get(platform)
        if globs is None:
            return None
        return any(fnmatch.fnmatchcase(version, glob) for glob in globs)


def load_standards(path: Path) -> Standards:
    """The customer's standards; none when the file is missing or empty; RulesError on a bad file."""
    if not path.is_file():
        return Standards()
    try:
        doc = read_yaml(path)
        return Standards() if doc.data is None else validate(Standards, doc)
    except YamlError as exc:
        raise RulesError(str(exc)) from None


def software_result(version: str, platform: str, matrix: Matrix, standards: Standards, today: date) -> RuleResult:
    """The running release judged against end of life (the matrix) and the customer's approved releases."""
    problems: list[str] = []
    release = matrix.release(version) if matrix.knows_release(version) else None
    if release is not None and release.end_of_life is not None and today > release.end_of_life:
        problems.append(f"{version}: release {release.release} reached end of life on {release.end_of_life}")
    approved = standards.approves(platform, version)
    if approved is False:
        problems.append(f"{version} is not one of the customer's approved releases (standards.yaml)")
    if problems:
        return RuleResult(SOFTWARE, SOFTWARE, SOFTWARE, Verdict.FAIL, "; ".join(problems))
    if release is None:
        message = f"{version}: release not in the {platform} matrix, end of life unknown"
        return RuleResult(SOFTWARE, SOFTWARE, SOFTWARE, Verdict.WARN, message)
    eol = f", supported until {release.end_of_life}" if release.end_of_life else ""
    ok = " and approved" if approved else ""
    return RuleResult(SOFTWARE, SOFTWARE, SOFTWARE, Verdict.PASS, f"{version}{eol}{ok}")
