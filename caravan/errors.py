"""Exceptions. Each carries one line that a planner can act on.

* :class:`InputError`: a file's content is wrong (the message names file, line and field).
  The CLI exits with code 1.
* :class:`ParameterError`: an argument is wrong or arguments contradict each other (the
  message names the parameter). The CLI exits with code 2, like any usage error.
* :class:`NoPlanError`: the inputs are valid but no plan satisfies them (for example a
  required site that no unit can reach and serve within a day). Exit code 1.
"""

from __future__ import annotations


class CaravanError(Exception):
    """Base class of every error caravan raises on purpose."""


class InputError(CaravanError, ValueError):
    """Bad content in an input file."""

    def __init__(
        self, message: str, *, source: str = "", line: int | None = None, field: str = ""
    ) -> None:
        self.source = source
        self.line = line
        self.field = field
        where = source
        if source and line is not None:
            where = f"{source}:{line}"
        prefix = f"{where}: " if where else ""
        what = f"field '{field}': " if field else ""
        super().__init__(f"{prefix}{what}{message}")


class ParameterError(CaravanError, ValueError):
    """A parameter value is invalid, alone or together with another one."""

    def __init__(self, message: str, *, param: str = "") -> None:
        self.param = param
        self.reason = message
        super().__init__(f"{param}: {message}" if param else message)


def check_between(value: float, low: float, high: float, *, param: str, unit: str = "") -> None:
    """Raise ParameterError ``must be between LOW and HIGH[ UNIT], got VALUE`` for ``param``
    when ``value`` lies outside ``[low, high]``."""
    if not low <= value <= high:
        unit = f" {unit}" if unit else ""
        raise ParameterError(
            f"must be between {low:g} and {high:g}{unit}, got {value}", param=param
        )


class NoPlanError(CaravanError):
    """The problem is well formed but has no feasible plan."""
