"""The platform registry: one `Platform` per netmiko device_type, found by discovery or registered at run time.

Every module or subpackage of this package that defines ``PLATFORM = Platform(...)`` (see
`tasks.platforms.base`) is registered when this package is imported. `register` adds one more (a test's
throwaway platform); registering a device_type again replaces it. Registering a platform registers its
version scheme in `tasks.versions` under its device_type.

Adding a platform is docs/adding-a-platform.md: its module here, a lab personality, a matrix, fixtures.

>>> get_platform("cisco_wlc")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
ValueError: unknown platform 'cisco_wlc'; supported: ...
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from types import MappingProxyType

from tasks.platforms.base import Platform
from tasks.versions import register_scheme

_NOT_PLATFORMS = frozenset({"base", "text"})  # the shared modules of this package
_REGISTRY: dict[str, Platform] = {}
# A read-only, live view of the registry ({device_type: Platform}), for `in` tests and listings.
PLATFORMS: Mapping[str, Platform] = MappingProxyType(_REGISTRY)


def register(platform: Platform) -> Platform:
    """Make `platform` known by its device_type (replacing one registered before) and its version scheme."""
    _REGISTRY[platform.device_type] = platform
    register_scheme(platform.device_type, platform.parse_version)
    return platform


def unregister(device_type: str) -> None:
    """Forget a platform registered at run time (a test's throwaway platform); nothing when it is unknown."""
    _REGISTRY.pop(device_type, None)


def get_platform(device_type: str) -> Platform:
    """The platform of a netmiko device_type; ValueError listing the supported ones when it is unknown."""
    try:
        return _REGISTRY[device_type]
    except KeyError:
        supported = ", ".join(sorted(_REGISTRY))
        raise ValueError(f"unknown platform {device_type!r}; supported: {supported}") from None


def platforms() -> dict[str, Platform]:
    """Every registered platform by device_type, sorted (a copy: registering later does not change it)."""
    return dict(sorted(_REGISTRY.items()))


def _discover() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name in _NOT_PLATFORMS or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        platform = getattr(module, "PLATFORM", None)
        if isinstance(platform, Platform):
            register(platform)


_discover()
