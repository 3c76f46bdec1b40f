"""Registry of personalities: one module per platform (netmiko device_type) exporting ``PERSONALITY``.

Adding a platform is adding ``lab/personalities/<device_type>.py`` with a module-level
``PERSONALITY = Personality(...)``; it is discovered by name.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from lab.personalities.base import Personality

_NOT_PLATFORMS = frozenset({"base"})


@cache
def registry() -> dict[str, Personality]:
    """All personalities by platform name."""
    found: dict[str, Personality] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name in _NOT_PLATFORMS or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        personality: Personality = module.PERSONALITY
        found[personality.platform] = personality
    return found


def supported() -> list[str]:
    """Sorted platform names the lab can simulate."""
    return sorted(registry())


def get(platform: str) -> Personality:
    """The personality of ``platform``; ``KeyError`` naming the supported ones when unknown."""
    try:
        return registry()[platform]
    except KeyError:
        raise KeyError(f"unknown platform {platform!r} (supported: {', '.join(supported())})") from None
