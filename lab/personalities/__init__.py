"""Registry of personalities: one module or package per platform (netmiko device_type) exporting ``PERSONALITY``.

A built-in platform is ``lab/personalities/<device_type>.py`` (or a package of that name) with a module-level
``PERSONALITY = Personality(...)``; it is discovered by name. A platform defined elsewhere (a test's throwaway
platform) calls ``register(PERSONALITY)`` when its module is imported; ``python -m lab serve --plugin MODULE``
imports such modules before it loads the estate.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from pathlib import Path

from lab import estate
from lab.personalities.base import Personality

_NOT_PLATFORMS = frozenset({"base", "data", "configs"})  # shared modules, not platforms
_registered: dict[str, Personality] = {}


@cache
def _discovered() -> dict[str, Personality]:
    found: dict[str, Personality] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name in _NOT_PLATFORMS or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        personality: Personality = module.PERSONALITY
        found[personality.platform] = personality
    return found


def register(personality: Personality) -> None:
    """Add a platform defined outside this package; ``ValueError`` if another one already has its name."""
    known = registry().get(personality.platform)
    if known is not None and known is not personality:
        raise ValueError(f"platform {personality.platform!r} is already registered")
    _registered[personality.platform] = personality


def registry() -> dict[str, Personality]:
    """All personalities by platform name: the built-in ones and the registered ones."""
    return {**_discovered(), **_registered}


def supported() -> list[str]:
    """Sorted platform names the lab can simulate."""
    return sorted(registry())


def get(platform: str) -> Personality:
    """The personality of ``platform``; ``KeyError`` naming the supported ones when unknown."""
    try:
        return registry()[platform]
    except KeyError:
        raise KeyError(f"unknown platform {platform!r} (supported: {', '.join(supported())})") from None


def load_estate(path: Path) -> estate.Estate:
    """Read and validate the estate file at ``path`` against the known platforms (``EstateFileError``)."""
    return estate.load(path, get)


def import_plugins(modules: list[str] | tuple[str, ...]) -> None:
    """Import each plugin module (which calls ``register`` at import); ``ImportError`` names a missing one."""
    for name in modules:
        importlib.import_module(name)
