"""``create_app``: the app of one :class:`~caravan.web.config.ServeConfig` (what ``caravan
serve`` runs with uvicorn): its state (:class:`~caravan.web.app.WebState`), the sign-in
page, the pages of :mod:`caravan.web.views` and the static files."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from importlib import resources

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from caravan.web import views
from caravan.web.app import WebState, login
from caravan.web.config import ServeConfig
from caravan.web.jobs import Jobs
from caravan.web.workspace import ColumnMemory, SessionStore


def create_app(config: ServeConfig) -> Starlette:
    """The web app for ``config`` (``caravan serve`` runs it with uvicorn)."""
    config.workdir.mkdir(parents=True, exist_ok=True)
    root = resources.files("caravan.web")
    templates = Environment(
        loader=FileSystemLoader(str(root / "templates")),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    state = WebState(
        config=config,
        sessions=SessionStore(config.workdir, ttl=config.session_seconds, now=config.now),
        columns=ColumnMemory(config.workdir),
        jobs=Jobs(),
        templates=templates,
    )
    state.sessions.purge()
    routes = [
        Route("/login", login, methods=["GET", "POST"]),
        *views.routes(),
        Mount("/static", StaticFiles(directory=str(root / "static")), name="static"),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        state.jobs.stop_all()  # no planning process outlives the server

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.web = state
    return app
