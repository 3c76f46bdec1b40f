"""Reading matrix files: `load_matrix` validates a platform's matrix and merges its local lessons.

Every problem is one `MatrixError` line naming the file, the line and the field (`tasks.yamlfile`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from tasks.errors import MatrixError
from tasks.matrix.issues import LocalLessons
from tasks.matrix.model import Matrix
from tasks.versions import SCHEMES
from tasks.yamlfile import YamlDocument, YamlError, display_path, read_yaml, validate

LOCAL_DIR = "local"

Model = TypeVar("Model", bound=BaseModel)


def _read(path: Path) -> YamlDocument:
    try:
        return read_yaml(path)
    except YamlError as exc:
        raise MatrixError(str(exc)) from None


def _validate(model: type[Model], doc: YamlDocument, context: dict[str, Any]) -> Model:
    try:
        return validate(model, doc, context)
    except YamlError as exc:
        raise MatrixError(str(exc)) from None


def load_matrix(platform: str, matrices_dir: Path) -> Matrix:
    """Load `matrices_dir/<platform>.yaml` and merge the platform's `matrices_dir/local/*.yaml` lessons.

    Local issues are marked `local=True`. Raises MatrixError (one line: file, line and field) on any
    problem, including a missing matrix file or an issue id defined twice across files.
    """
    path = matrices_dir / f"{platform}.yaml"
    if platform not in SCHEMES:
        known = ", ".join(sorted(SCHEMES))
        raise MatrixError(f"{display_path(path)}: no version scheme for platform {platform!r} (known: {known})")
    if not path.is_file():
        raise MatrixError(f"{display_path(path)}: no matrix for platform {platform!r} (file not found)")
    context = {"platform": platform, "scheme": platform}
    matrix = _validate(Matrix, _read(path), context)
    issues = list(matrix.known_issues)
    origin = {issue.id: path for issue in issues}
    for local_path in sorted((matrices_dir / LOCAL_DIR).glob("*.yaml")):
        doc = _read(local_path)
        if isinstance(doc.data, dict) and doc.data.get("platform") != platform:
            continue  # another platform's lessons
        lessons = _validate(LocalLessons, doc, {**context, "allow_local": True})
        for i, issue in enumerate(lessons.known_issues):
            if issue.id in origin:
                raise MatrixError(
                    f"{doc.where(('known_issues', i, 'id'))}: {issue.id!r} is already defined in "
                    f"{display_path(origin[issue.id])}"
                )
            origin[issue.id] = local_path
            issues.append(issue.model_copy(update={"local": True}))
    return matrix.model_copy(update={"known_issues": issues})
