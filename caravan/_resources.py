"""Where the packaged data lives, in an installed wheel and in a source checkout.

The data is kept in ``data/`` at the top of the repository (``data/geo/`` is built by
``caravan data build``). ``setup.cfg`` maps that folder to the package ``caravan.data`` so a
wheel carries it as ``caravan/data/``; an editable install or a checkout reads it in place.
"""

from __future__ import annotations

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
