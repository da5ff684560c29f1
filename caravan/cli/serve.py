"""``caravan serve``: the planner's web page (:mod:`caravan.web`) on this computer."""

from __future__ import annotations

import os
import socket
import threading
import webbrowser
from pathlib import Path

import click

from caravan.cli.common import db_option, translate_errors
from caravan.errors import ParameterError
from caravan.web.config import (
    DEFAULT_SESSION_HOURS,
    DEFAULT_UPLOAD_MB,
    PASSWORD_ENV,
    ServeConfig,
    default_workdir,
)


def _password(password_file: str | None) -> str:
    if password_file:
        try:
            return Path(password_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ParameterError(
                f"cannot read {password_file}: {exc.strerror}", param="--password-file"
            ) from None
    return os.environ.get(PASSWORD_ENV, "")


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ParameterError(
            f"cannot listen on {host}:{port}: {exc.strerror}", param="--port"
        ) from None
    sock.listen(64)
    return sock


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. "
    f"Any other than this computer's needs a password (${PASSWORD_ENV} or --password-file).",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help="Port (0: any free one).",
)
@db_option
@click.option(
    "--workdir",
    type=click.Path(file_okay=False),
    default=None,
    help="Working folder for uploads and plans. Default: web/ in the user data folder.",
)
@click.option(
    "--password-file",
    type=click.Path(dir_okay=False),
    default=None,
    help=f"File holding the sign-in password (instead of ${PASSWORD_ENV}).",
)
@click.option(
    "--max-upload-mb",
    type=float,
    default=DEFAULT_UPLOAD_MB,
    show_default=True,
    help="Largest complaint file accepted.",
)
@click.option(
    "--session-hours",
    type=float,
    default=DEFAULT_SESSION_HOURS,
    show_default=True,
    help="A session unused this long expires and its files are deleted.",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the browser.")
@translate_errors
def serve(host, port, db, workdir, password_file, max_upload_mb, session_hours, open_browser):
    """Start the planner's web page (Thai first; see docs/web.md)."""
    import uvicorn

    from caravan.web import create_app

    config = ServeConfig(
        workdir=Path(workdir) if workdir else default_workdir(),
        db=Path(db) if db else None,
        host=host,
        password=_password(password_file),
        max_upload_bytes=int(max_upload_mb * 1024 * 1024),
        session_seconds=session_hours * 3600,
    )
    app = create_app(config)
    sock = _bind(host, port)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{sock.getsockname()[1]}/"
    click.echo(f"caravan: serving {url} (working folder {config.workdir}); Ctrl+C stops", err=False)
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=5))
    server.run(sockets=[sock])
