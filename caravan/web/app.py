"""The planner's web page: a Starlette app over the same library as the ``caravan`` command.

:func:`caravan.web.server.create_app` makes one app from a
:class:`~caravan.web.config.ServeConfig`; all its state (:class:`WebState`: sessions, jobs,
templates) hangs on that app, none on a module, so that two apps (or two planners of one
app) never share anything but the history database, whose writes are transactions.

Safety, on every request (:func:`page`): a session cookie (HttpOnly, SameSite=Lax) names
a session of :class:`~caravan.web.workspace.SessionStore`, which expires; with a password
set the session must have signed in; every POST carries the session's CSRF token (a form
field ``csrf`` or the header ``X-CSRF-Token``) and, when the browser sends one, an
``Origin`` of this server, else 403. Files are served by id and by names from a fixed
list (:mod:`caravan.web.workspace`). The pages are in :mod:`caravan.web.views`.
"""

from __future__ import annotations

import asyncio
import functools
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from jinja2 import Environment
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from caravan.web import i18n
from caravan.web.config import ServeConfig
from caravan.web.jobs import Jobs
from caravan.web.workspace import ColumnMemory, Session, SessionStore

COOKIE = "caravan_session"
PAGE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "SAMEORIGIN",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "style-src 'self' 'unsafe-inline'; frame-ancestors 'self'; form-action 'self'",
}


@dataclass
class WebState:
    """Everything one app holds."""

    config: ServeConfig
    sessions: SessionStore
    columns: ColumnMemory
    jobs: Jobs
    templates: Environment


@dataclass
class Ctx:
    """One request as a page sees it: the request, its session, the posted form."""

    request: Request
    session: Session
    state: WebState
    form: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    uploads: dict[str, object] = field(default_factory=dict)

    @property
    def lang(self) -> str:
        return self.session.lang

    def t(self, key: str) -> str:
        return i18n.words(self.lang)(key)

    def render(self, template: str, status: int = 200, **values: object) -> HTMLResponse:
        tpl = self.state.templates.get_template(template)
        html = tpl.render(
            t=i18n.words(self.lang),
            lang=self.lang,
            csrf=self.session.csrf,
            path=self.request.url.path,
            day=lambda d: i18n.day_text(d, self.lang),
            week_text=lambda w: i18n.week_text(w, self.lang),
            config=self.state.config,
            **values,
        )
        return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)

    def error(self, message: str, status: int = 400) -> HTMLResponse:
        return self.render("error.html", status=status, message=message)


Handler = Callable[[Ctx], Response]


def page(*, post: bool = False, form: bool = True) -> Callable[[Handler], Callable]:
    """An endpoint: the session (made when missing), sign-in, CSRF for a POST, the form
    parsed (``form=False``: the handler reads the body itself), then the handler run in a
    worker thread (reading files and solving must not stop the other planners' pages)."""

    def wrap(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        @functools.wraps(handler)
        async def endpoint(request: Request) -> Response:
            state: WebState = request.app.state.web
            session, new = _session(request, state)
            ctx = Ctx(request, session, state)
            if state.config.password and not session.signed_in:
                response: Response = RedirectResponse("/login", status_code=303)
            elif post and not await _csrf_ok(ctx, read_form=form):
                response = ctx.error("403: this form did not come from this page", status=403)
            else:
                response = await run_in_threadpool(handler, ctx)
            if new:
                _set_cookie(response, session, request)
            return response

        return endpoint

    return wrap


def _session(request: Request, state: WebState) -> tuple[Session, bool]:
    found = state.sessions.get(request.cookies.get(COOKIE))
    if found is not None:
        return found, False
    return state.sessions.create(), True


def _set_cookie(response: Response, session: Session, request: Request) -> None:
    response.set_cookie(
        COOKIE,
        session.sid,
        max_age=int(request.app.state.web.config.session_seconds),
        httponly=True,
        samesite="lax",
        path="/",
    )


async def parse_form(ctx: Ctx) -> None:
    """The posted form into ``ctx.form`` (first values), ``ctx.lists`` (all values) and
    ``ctx.uploads`` (files)."""
    data = await ctx.request.form(max_files=10, max_fields=5000)
    for key, value in data.multi_items():
        if isinstance(value, str):
            ctx.form.setdefault(key, value)
            ctx.lists.setdefault(key, []).append(value)
        else:
            ctx.uploads[key] = value


def same_origin(request: Request) -> bool:
    """The browser says the request comes from a page of this server (or says nothing,
    as a script does: the CSRF token still has to match)."""
    if request.headers.get("sec-fetch-site") == "cross-site":
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True
    return origin != "null" and urlsplit(origin).netloc == request.headers.get("host", "")


async def _csrf_ok(ctx: Ctx, *, read_form: bool) -> bool:
    if not same_origin(ctx.request):
        return False
    token = ctx.request.headers.get("x-csrf-token", "")
    if not token:
        token = ctx.request.query_params.get("csrf", "")
    if read_form:
        await parse_form(ctx)
        token = ctx.form.get("csrf", token)
    return bool(token) and hmac.compare_digest(token, ctx.session.csrf)


# ---------------------------------------------------------------------------- sign-in


async def login(request: Request) -> Response:
    """Sign in with the operator's password (only when one is set)."""
    state: WebState = request.app.state.web
    session, new = _session(request, state)
    ctx = Ctx(request, session, state)
    message = ""
    status = 200
    if request.method == "POST":
        ok = await _csrf_ok(ctx, read_form=True)
        password = ctx.form.get("password", "")
        if ok and hmac.compare_digest(password.encode(), state.config.password.encode()):
            session.signed_in = True
            session.save()
            response: Response = RedirectResponse("/", status_code=303)
            if new:
                _set_cookie(response, session, request)
            return response
        await asyncio.sleep(1)  # slows down guessing
        message, status = ctx.t("wrong_password"), 403
    if not state.config.password:
        return RedirectResponse("/", status_code=303)
    response = ctx.render("login.html", status=status, message=message)
    if new:
        _set_cookie(response, session, request)
    return response
