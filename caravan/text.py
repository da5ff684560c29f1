"""Text clean-up shared by the date, name and value readers.

Exports from Thai systems mix Thai digits (๐-๙) with Arabic ones, type the vowel sara am
(ำ) as nikhahit + sara aa (ํา), carry zero-width spaces and non-breaking spaces, and
spell the same word with or without spaces, dots and hyphens. Everything here is pure and
cheap; callers cache the results per distinct value.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Sequence

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")

# zero-width characters and the BOM, dropped; odd spaces become plain spaces
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u3000\t\r\n"), " ")
_TONES = "\u0e48\u0e49\u0e4a\u0e4b"
# nikhahit (U+0E4D) + optional tone + sara aa (U+0E32), in either order, is sara am (U+0E33)
_SARA_AM = re.compile(f"\u0e4d([{_TONES}]?)\u0e32|([{_TONES}])\u0e4d\u0e32")
_WS = re.compile(r"\s+")


def _sara_am(m: re.Match[str]) -> str:
    return (m.group(1) or m.group(2) or "") + "\u0e33"


def clean(text: str) -> str:
    """NFC, Thai digits as 0-9, sara am in one form, no invisible characters, single spaces,
    no spaces at either end."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE).translate(_SPACES)
    if "\u0e4d" in text:
        text = _SARA_AM.sub(_sara_am, text)
    return _WS.sub(" ", text.translate(THAI_DIGITS)).strip()


_MARKS = re.compile(r"[\s.,'’\-_/()\[\]]+")


def squash(text: str) -> str:
    """:func:`clean`, lower case, and without spaces, dots, commas, apostrophes, hyphens,
    underscores, slashes or brackets: the form in which vocabularies are compared."""
    return _MARKS.sub("", clean(text).casefold())


def is_thai(text: str) -> bool:
    return any("\u0e00" <= ch <= "\u0e7f" for ch in text)


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: combining marks (Thai vowels above and below
    the line, tone marks) take none, wide East Asian characters two, others one."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def _pad(text: str, width: int, *, right: bool) -> str:
    space = " " * max(0, width - display_width(text))
    return space + text if right else text + space


def text_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    """Text columns for a terminal, aligned by display width (Thai names line up): text
    left-aligned, columns holding only numbers right-aligned."""
    cells = [[str(c) for c in header], *[["" if c is None else str(c) for c in r] for r in rows]]
    widths = [max(display_width(r[i]) for r in cells) for i in range(len(header))]
    numeric = [
        len(cells) > 1 and all(_is_number(r[i]) for r in cells[1:] if r[i] != "")
        for i in range(len(header))
    ]
    return [
        "  ".join(
            _pad(v, w, right=num) for v, w, num in zip(r, widths, numeric, strict=True)
        ).rstrip()
        for r in cells
    ]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_input(path: str | os.PathLike[str], limit: int = -1, *, label: str = "") -> bytes:
    """The bytes (the first ``limit``, or all) of a file the user named, or an InputError in
    one line for a missing, folder or unreadable one."""
    from caravan.errors import InputError

    src = label or str(path)
    try:
        with open(path, "rb") as fh:
            return fh.read(limit)
    except FileNotFoundError:
        raise InputError("file not found", source=src) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a file", source=src) from None
    except PermissionError:
        raise InputError("cannot be read (permission denied)", source=src) from None


def read_toml(path: str | os.PathLike[str], label: str = "") -> dict:
    """A small TOML file the user named (``--weights``, ``--columns``), or an InputError in
    one line for a missing, unreadable, binary or malformed one."""
    import tomllib

    from caravan.errors import InputError

    src = label or str(path)
    data = read_input(path, label=src)
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError("not a TOML text file (not UTF-8: binary content?)", source=src) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", source=src) from None
    except RecursionError:
        raise InputError("not valid TOML: nested too deeply", source=src) from None
