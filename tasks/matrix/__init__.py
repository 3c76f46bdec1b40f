"""Support matrices and local lessons learned: YAML files loaded into checked models (`load_matrix`).

Files and shapes (every mapping rejects unknown keys; every error is one line naming the file, the line and the
field inside it, raised as `tasks.errors.MatrixError`):

- ``matrices/<platform>.yaml`` -> `Matrix` (`model.py`): ``platform``, ``oem`` (how the OS reports an OEM optic)
  and ``optics`` (supported parts by model glob and release range; `optics.py`), ``releases`` (feature releases
  with GA and end-of-life dates, and optionally each release's ``base_image`` and ``recommended`` stop),
  ``images`` and ``upgrade`` (skip and base-image rules, last supported release per model, per-model paths,
  durations, image-size estimates; `releases.py`), ``known_issues`` (from release X, on models M, condition C:
  blocker or warning; `issues.py`). Every upgrade-path section and field is optional.
- ``matrices/local/*.yaml`` -> `LocalLessons` (`issues.py`): a team's own known issues for one platform, merged
  into that platform's matrix and marked ``local`` (`load.py`).

Customer waivers are inventory data and live in `tasks.waivers`; they are re-exported here for older imports.
"""

from __future__ import annotations

from tasks.matrix.issues import Condition, IssueSeverity, IssueSource, KnownIssue, LocalLessons, SourceKind
from tasks.matrix.load import LOCAL_DIR, load_matrix
from tasks.matrix.model import Matrix
from tasks.matrix.optics import GenuinePairing, OemRule, Optic
from tasks.matrix.releases import (
    Durations,
    Image,
    LastRelease,
    ModelPath,
    Recommended,
    Release,
    SizeEstimate,
    Upgrade,
    UpgradeRules,
)
from tasks.waivers import Waiver, active_waivers, load_waivers
from tasks.yamlfile import display_path

__all__ = [
    "LOCAL_DIR",
    "Condition",
    "Durations",
    "GenuinePairing",
    "Image",
    "IssueSeverity",
    "IssueSource",
    "KnownIssue",
    "LastRelease",
    "LocalLessons",
    "Matrix",
    "ModelPath",
    "OemRule",
    "Optic",
    "Recommended",
    "Release",
    "SizeEstimate",
    "SourceKind",
    "Upgrade",
    "UpgradeRules",
    "Waiver",
    "active_waivers",
    "display_path",
    "load_matrix",
    "load_waivers",
]
