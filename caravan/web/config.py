"""How ``caravan serve`` runs: where its files go, who may use it, its limits."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from caravan.errors import ParameterError
from caravan.folders import user_data_dir

#: the hosts that only this computer reaches: no password needed
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
PASSWORD_ENV = "CARAVAN_WEB_PASSWORD"
DEFAULT_UPLOAD_MB = 50
DEFAULT_SESSION_HOURS = 8


def default_workdir() -> Path:
    """``web/`` in the user data folder (:func:`caravan.folders.user_data_dir`)."""
    return user_data_dir() / "web"


@dataclass(frozen=True)
class ServeConfig:
    """``workdir``: the working folders (:mod:`caravan.web.workspace`); ``db``: the history
    database (None: the default one); ``password``: asked for at sign-in when set (required
    for a host other than this computer, :func:`check_host`); ``now``: the sessions'
    clock, seconds (tests move it)."""

    workdir: Path
    db: Path | None = None
    host: str = "127.0.0.1"
    password: str = ""
    max_upload_bytes: int = DEFAULT_UPLOAD_MB * 1024 * 1024
    session_seconds: float = DEFAULT_SESSION_HOURS * 3600
    now: Callable[[], float] = field(default=time.time)

    def __post_init__(self) -> None:
        check_host(self.host, self.password)
        if self.max_upload_bytes <= 0:
            raise ParameterError("must be positive", param="--max-upload-mb")
        if self.session_seconds <= 0:
            raise ParameterError("must be positive", param="--session-hours")


def check_host(host: str, password: str) -> None:
    """Listening where other computers reach the page needs a password set by the operator."""
    if host not in LOCAL_HOSTS and not password:
        raise ParameterError(
            f"listening on {host} lets other computers in: set a password first "
            f"(${PASSWORD_ENV} or --password-file FILE)",
            param="--host",
        )
