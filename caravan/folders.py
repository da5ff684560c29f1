"""Where caravan keeps things: its packaged data, and the user's data and cache folders.

* **Packaged data** (:func:`data_path`): ``data/`` at the top of the repository
  (``data/geo/`` is built by ``caravan data build``). ``setup.cfg`` maps that folder to the
  package ``caravan.data`` so a wheel carries it as ``caravan/data/``; an editable install
  or a checkout reads it in place.
* **User data** (:func:`user_data_dir`): the history database and the road graph.
  ``$XDG_DATA_HOME/caravan`` (``~/.local/share/caravan``) on Linux, ``~/Library/Application
  Support/caravan`` on macOS, ``%LOCALAPPDATA%\\caravan`` on Windows. Not created here.
* **Cache** (:func:`user_cache_dir`): stored travel matrices. ``$CARAVAN_CACHE``, else
  ``$XDG_CACHE_HOME/caravan`` (``~/.cache/caravan``) on Linux, ``~/Library/Caches/caravan``
  on macOS, ``%LOCALAPPDATA%\\caravan\\cache`` on Windows.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir() -> Path:
    for candidate in (_PACKAGE / "data", _PACKAGE.parent / "data"):
        if (candidate / "geo").is_dir():
            return candidate
    raise FileNotFoundError(
        "caravan's built-in data is missing: neither "
        f"{_PACKAGE / 'data'} nor {_PACKAGE.parent / 'data'} holds geo/"
    )


def data_path(*parts: str) -> Path:
    return data_dir().joinpath(*parts)


def _xdg(variable: str, fallback: Path) -> Path:
    value = os.environ.get(variable, "")
    return Path(value) if value and Path(value).is_absolute() else fallback


def user_data_dir() -> Path:
    """The platform's per-user data folder for caravan (module docstring), not created here."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = _xdg("XDG_DATA_HOME", Path.home() / ".local" / "share")
    return base / "caravan"


def user_cache_dir() -> Path:
    """``$CARAVAN_CACHE``, else the platform's per-user cache folder + ``caravan``."""
    env = os.environ.get("CARAVAN_CACHE")
    if env:
        return Path(env)
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        return base / "caravan" / "cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "caravan"
    return _xdg("XDG_CACHE_HOME", Path.home() / ".cache") / "caravan"
