"""Release facts the simulated devices print (image sizes, release dates, builds), read from the repo's matrices.

The support matrices (``matrices/<platform>.yaml``) are the one source of truth: the lab reads their
``images:`` entries and ``upgrade.image_size_estimate`` with the project's YAML reader and invents nothing.
A fact a matrix does not hold is None, and the personality prints what a device prints for an unknown value.
Nothing flows the other way: the lab never writes a matrix.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from tasks.yamlfile import read_yaml

DEFAULT_MATRICES = Path(__file__).resolve().parent.parent / "matrices"
_settings: dict[str, Path] = {"matrices": DEFAULT_MATRICES}


@dataclass(frozen=True)
class Image:
    """One software image a matrix lists: its version, release date, size and note (None where not given)."""

    version: str
    released: date | None = None
    size_mb: int | None = None
    base: bool = False
    note: str = ""


@dataclass(frozen=True)
class Releases:
    """The images of one platform's matrix, in file order, and its size estimate for images without a size."""

    images: tuple[Image, ...] = ()
    base_mb: int | None = None
    other_mb: int | None = None

    def image(self, version: str) -> Image | None:
        """The matrix's entry for ``version``, or None."""
        for image in self.images:
            if image.version == version:
                return image
        return None

    def size_mb(self, version: str) -> int | None:
        """The image's size: the matrix's own figure, else its estimate for base or other images, else None.

        >>> Releases((Image("1.0.0", size_mb=900, base=True), Image("1.0.1")), 1100, 550).size_mb("1.0.1")
        550
        """
        image = self.image(version)
        if image is not None and image.size_mb is not None:
            return image.size_mb
        return self.base_mb if image is not None and image.base else self.other_mb


def use_matrices(folder: Path) -> None:
    """Read release facts from ``folder`` from now on (``python -m lab serve --matrices DIR``)."""
    _settings["matrices"] = folder
    releases.cache_clear()


def matrices_dir() -> Path:
    """The folder the release facts come from."""
    return _settings["matrices"]


@cache
def releases(platform: str) -> Releases:
    """The release facts of ``platform``; empty when its matrix does not exist. ``YamlError`` when unreadable."""
    path = matrices_dir() / f"{platform}.yaml"
    if not path.is_file():
        return Releases()
    doc = read_yaml(path)
    data = _dict(doc.data)
    estimate = _dict(_dict(data.get("upgrade")).get("image_size_estimate"))
    images = tuple(_image(entry) for entry in data.get("images") or () if isinstance(entry, dict))
    return Releases(images, _int(estimate.get("base_mb")), _int(estimate.get("other_mb")))


def _date(value: Any) -> date | None:
    """A matrix date (`2023-01-31`, text as the YAML reader keeps it); None when absent or not a date."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()) if value else None
    except ValueError:
        return None


def _image(entry: dict[str, Any]) -> Image:
    return Image(
        version=str(entry.get("version", "")),
        released=_date(entry.get("released")),
        size_mb=_int(entry.get("size_mb")),
        base=entry.get("base") is True,
        note=str(entry.get("note") or ""),
    )


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
