"""The pages: complaints, plan, look and adjust, hand out, history, outcomes, report.

Each page translates its form into a library call, as a command of :mod:`caravan.cli`
translates its options: :mod:`caravan.complaints` reads uploads, a
:class:`~caravan.plan.request.PlanRequest` made by :mod:`caravan.web.forms` goes to a
worker (:mod:`caravan.web.worker`) that calls ``plan_week`` or ``replan_week``,
:func:`~caravan.outputs.formats.export_plan` writes the downloads,
:func:`~caravan.outputs.commit.commit_plan` records a plan and
:class:`~caravan.history.outcomes.OutcomeChecker` checks an outcome. A library error is
shown as its one line, with the paths of the working folder left out.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from caravan import clock
from caravan.atomic import OutputError
from caravan.clock import monday_of, parse_week
from caravan.complaints import parse_column_options, read_complaints, write_check
from caravan.complaints.columns import FIELDS, REQUIRED
from caravan.complaints.privacy import is_personal_header
from caravan.complaints.report import reason_lines
from caravan.complaints.source import read_header
from caravan.errors import CaravanError, InputError
from caravan.geo.geography import load_geography
from caravan.history.outcomes import OutcomeChecker
from caravan.history.store import open_history
from caravan.outputs.commit import commit_plan, recorded_line
from caravan.outputs.formats import FORMATS, export_plan
from caravan.outputs.labels import reason_th
from caravan.outputs.planfile import read_plan
from caravan.outputs.report import plan_status, season_html, season_report
from caravan.plan.request import PlanRequest, request_of
from caravan.types import PROVINCES, TRAVEL_MODES
from caravan.web import i18n
from caravan.web.app import Ctx, page
from caravan.web.forms import FILES, more_fields, request_from_form
from caravan.web.workspace import new_id, read_json, valid_id, write_json

#: files of a plan's folder that may be downloaded (besides the export formats)
PLAN_FILES = frozenset({"itinerary.csv", "plan.json", "rejects.csv", "outcome_template.csv"})
UPLOAD_FILES = frozenset({"accepted.csv", "rejects.csv"})
CSV_NAME = "complaints"


def public(ctx: Ctx, text: str) -> str:
    """A message without the working folder's paths (they mean nothing to the planner): an
    uploaded file is named by the name it had on the planner's computer."""
    text = text.replace(str(ctx.session.folder) + "/", "")
    for item in _uploads(ctx):
        if item.get("file"):
            text = text.replace(f"uploads/{item['id']}/{item['file']}", item.get("name", ""))
    return text


# ---------------------------------------------------------------------------- home, language


@page()
def home(ctx: Ctx) -> Response:
    return ctx.render("home.html", uploads=_uploads(ctx), plans=_plans(ctx))


@page()
def language(ctx: Ctx) -> Response:
    lang = ctx.request.path_params["lang"]
    if lang in ("th", "en"):
        ctx.session.lang = lang
        ctx.session.save()
    back = ctx.request.query_params.get("next", "/")
    if not back.startswith("/") or back.startswith("//"):
        back = "/"
    return RedirectResponse(back, status_code=303)


# ---------------------------------------------------------------------------- complaints


def _uploads(ctx: Ctx) -> list[dict]:
    folder = ctx.session.uploads()
    items = [read_json(p / "meta.json") | {"id": p.name} for p in folder.glob("*") if p.is_dir()]
    return sorted(items, key=lambda m: m.get("uploaded", ""), reverse=True)


@page()
def complaints_page(ctx: Ctx) -> Response:
    return ctx.render("complaints.html", uploads=_uploads(ctx), message="")


async def upload(request: Request) -> Response:
    """Refuse a body over the limit before reading it into a file, then parse the form."""
    state = request.app.state.web
    limit = state.config.max_upload_bytes
    size = int(request.headers.get("content-length") or 0)
    if size > limit + 64 * 1024:
        drained = 0
        async for chunk in request.stream():  # read it, so that the browser sees the page
            drained += len(chunk)
            if drained > 4 * limit:
                break
        return await _too_big(request)
    return await _upload(request)


@page()  # nothing is changed, and the token was in the body that was not read
def _too_big(ctx: Ctx) -> Response:
    return _refused_upload(ctx)


def _refused_upload(ctx: Ctx) -> Response:
    size = int(ctx.request.headers.get("content-length") or 0)
    limit = ctx.state.config.max_upload_bytes
    message = (
        f"{ctx.t('error')}: the file is {size / 2**20:.1f} MB; the limit is {limit / 2**20:g} MB"
    )
    return ctx.render("complaints.html", status=413, uploads=_uploads(ctx), message=message)


@page(post=True)
def _upload(ctx: Ctx) -> Response:
    item = ctx.uploads.get("file")
    name = Path(getattr(item, "filename", "") or "").name
    if item is None or not name:
        return ctx.render("complaints.html", status=400, uploads=_uploads(ctx), message="no file")
    if getattr(item, "size", 0) and item.size > ctx.state.config.max_upload_bytes:
        return _refused_upload(ctx)
    uid = new_id()
    folder = ctx.session.uploads() / uid
    folder.mkdir(parents=True)
    shown = name[:120]  # the planner's name of the file, only ever shown (escaped)
    suffix = "".join(c for c in Path(name).suffix.lower()[:6] if c.isalnum() or c == ".")
    target = folder / (CSV_NAME + suffix)
    item.file.seek(0)
    with open(target, "wb") as out:
        while chunk := item.file.read(1 << 20):
            out.write(chunk)
    meta = {"name": shown, "file": target.name, "uploaded": clock.now().isoformat()}
    write_json(folder / "meta.json", meta)
    mapping = ctx.state.columns.get(_header_of(target))
    _check_upload(ctx, folder, mapping)
    return RedirectResponse(f"/complaints/{uid}", status_code=303)


def _header_of(path: Path) -> list[str]:
    try:
        return list(read_header(path).header)
    except CaravanError:
        return []


def _check_upload(ctx: Ctx, folder: Path, mapping: dict[str, str]) -> dict:
    """Read the upload as ``caravan complaints check`` does; keep the counts, the reasons and
    accepted.csv / rejects.csv, or the error; return the upload's meta.json."""
    meta = read_json(folder / "meta.json")
    path = folder / meta["file"]
    meta.update(columns=mapping, error="", ok=False)
    try:
        cf = read_complaints(path, columns=mapping)
    except CaravanError as exc:
        meta["error"] = public(ctx, str(exc))
        write_json(folder / "meta.json", meta)
        return meta
    write_check(cf, folder)
    meta.update(
        ok=True,
        rows=cf.rows,
        accepted=len(cf.accepted),
        rejected=len(cf.rejects),
        format=cf.format,
        recognised=[list(c) for c in cf.columns],
        reasons=reason_lines(cf, indent=""),
        first_rejects=[[r.line, r.field, r.reason] for r in cf.rejects[:50]],
        notes=list(cf.notes),
    )
    write_json(folder / "meta.json", meta)
    return meta


@page()
def upload_page(ctx: Ctx) -> Response:
    folder = ctx.session.upload_dir(ctx.request.path_params["uid"])
    if folder is None:
        return ctx.error("404: no such upload", status=404)
    meta = read_json(folder / "meta.json")
    return ctx.render("upload.html", uid=folder.name, meta=meta, **_mapping_form(folder, meta))


def _mapping_form(folder: Path, meta: dict) -> dict:
    """The file's headers (without those of personal data) and the fields to map."""
    try:
        header = list(read_header(folder / meta["file"]).header)
    except CaravanError:
        return {"headers": [], "fields": []}
    headers = [h.strip() for h in header if h.strip() and not is_personal_header(h)]
    return {"headers": headers, "fields": FIELDS, "required": REQUIRED}


@page(post=True)
def upload_columns(ctx: Ctx) -> Response:
    folder = ctx.session.upload_dir(ctx.request.path_params["uid"])
    if folder is None:
        return ctx.error("404: no such upload", status=404)
    chosen = [f"{f}={ctx.form[f'col_{f}']}" for f in FIELDS if ctx.form.get(f"col_{f}")]
    try:
        mapping = parse_column_options(chosen)  # as --column: never a personal-data column
    except CaravanError as exc:
        return ctx.error(str(exc))
    meta = _check_upload(ctx, folder, mapping)
    if meta.get("ok") and mapping:
        ctx.state.columns.remember(_header_of(folder / meta["file"]), mapping)
    return RedirectResponse(f"/complaints/{folder.name}", status_code=303)


@page()
def upload_file(ctx: Ctx) -> Response:
    folder = ctx.session.upload_dir(ctx.request.path_params["uid"])
    name = ctx.request.path_params["name"]
    if folder is None or name not in UPLOAD_FILES or not (folder / name).is_file():
        return ctx.error("404: no such file", status=404)
    return FileResponse(folder / name, filename=name, media_type="text/csv; charset=utf-8")


# ---------------------------------------------------------------------------- plan form


def _sites(level: str) -> list[dict]:
    geo = load_geography()
    return [
        {"code": s.code, "th": s.name_th, "en": s.name_en, "province": s.province_code}
        for s in geo.candidates(level=level, provinces=list(PROVINCES))
    ]


def _form_values(ctx: Ctx, base: PlanRequest, **extra: object) -> dict:
    return {
        "request": base,
        "more": more_fields(),
        "provinces": PROVINCES,
        "travel_modes": TRAVEL_MODES,
        "uploads": [u for u in _uploads(ctx) if u.get("ok")],
        "sites": {level: _sites(level) for level in ("district", "tambon")},
        "hhmm": clock.hhmm,
        **extra,
    }


@page()
def plan_form(ctx: Ctx) -> Response:
    base = PlanRequest(week=None)
    chosen = ctx.request.query_params.get("upload", "")
    again = ctx.session.plan_dir(ctx.request.query_params.get("again", ""))
    if again is not None and (again / "plan.json").exists():
        base = request_of(read_plan(again / "plan.json"))
    return ctx.render("plan_form.html", **_form_values(ctx, base, chosen=chosen, message=""))


@page(post=True)
def plan_start(ctx: Ctx) -> Response:
    chosen = ctx.form.get("complaints", "")
    pid = new_id()
    folder = ctx.session.plans() / pid
    try:
        complaints, mapping = _complaints_of(ctx, chosen)
        files = _form_files(ctx, folder)
        request = request_from_form(ctx.form, ctx.lists, complaints=complaints, files=files)
        request = request.replace(columns=mapping)
    except CaravanError as exc:
        return ctx.render(
            "plan_form.html",
            status=400,
            **_form_values(ctx, PlanRequest(week=None), chosen=chosen, message=str(exc)),
            posted=ctx.form,
            posted_lists=ctx.lists,
        )
    job = {
        "kind": "plan",
        "request": request.to_json(),
        "db": str(ctx.state.config.db) if ctx.state.config.db else None,
        "calendar": _calendar(ctx),
        "time_limit": request.time_limit,
        "week": request.week,
    }
    ctx.state.jobs.start(ctx.session.folder, folder, job)
    return RedirectResponse(f"/plans/{pid}", status_code=303)


def _calendar(ctx: Ctx) -> str:
    return "buddhist" if ctx.lang == "th" else "gregorian"


def _complaints_of(ctx: Ctx, chosen: str) -> tuple[str, dict]:
    """The chosen upload's path (relative to the session's folder) and column mapping; ""
    for the built-in sample."""
    if not chosen:
        return "", {}
    folder = ctx.session.upload_dir(chosen)
    if folder is None:
        raise InputError("the chosen complaint file is gone: upload it again")
    meta = read_json(folder / "meta.json")
    return f"uploads/{folder.name}/{meta['file']}", dict(meta.get("columns") or {})


def _form_files(ctx: Ctx, folder: Path) -> dict[str, str]:
    """The files posted with the plan form (population, sites, weights), saved in the
    plan's folder; their paths relative to the session's folder."""
    out = {}
    for name, item in ctx.uploads.items():
        if name not in FILES or not getattr(item, "filename", ""):
            continue
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"input-{name.replace('.', '-')}{Path(item.filename).suffix[:6]}"
        item.file.seek(0)
        target.write_bytes(item.file.read(ctx.state.config.max_upload_bytes + 1))
        out[name] = f"plans/{folder.name}/{target.name}"
    return out


# ---------------------------------------------------------------------------- a plan


def _plans(ctx: Ctx) -> list[dict]:
    out = []
    for folder in ctx.session.plans().glob("*"):
        job = read_json(folder / "job.json")
        if not job:
            continue
        state = ctx.state.jobs.state(folder)
        out.append(
            {
                "id": folder.name,
                "kind": job.get("kind"),
                "week": job.get("week", ""),
                "state": state.state,
                "time": folder.stat().st_mtime,
            }
        )
    return sorted(out, key=lambda p: p["time"], reverse=True)


def _plan_folder(ctx: Ctx) -> Path | None:
    return ctx.session.plan_dir(ctx.request.path_params["pid"])


def _made_plan(handler: Callable[[Ctx, Path], Response]) -> Callable[[Ctx], Response]:
    """A page of a plan that is made: 404 unless the plan's folder holds its plan.json."""

    @functools.wraps(handler)
    def run(ctx: Ctx) -> Response:
        folder = _plan_folder(ctx)
        if folder is None or not (folder / "plan.json").exists():
            return ctx.error("404: no such plan", status=404)
        return handler(ctx, folder)

    return run


@page()
def plan_page(ctx: Ctx) -> Response:
    folder = _plan_folder(ctx)
    if folder is None:
        return ctx.error("404: no such plan", status=404)
    state = ctx.state.jobs.state(folder)
    if state.state != "done":
        error = public(ctx, state.error)
        words = i18n.job_words(ctx.lang)
        return ctx.render("job.html", pid=folder.name, job=state, error=error, job_words=words)
    plan = read_plan(folder / "plan.json")
    committed = read_json(folder / "committed.json").get("line", "")
    return ctx.render(
        "plan.html",
        pid=folder.name,
        plan=plan,
        reason=lambda u: reason_th(u.reason_code) if ctx.lang == "th" else u.reason,
        hhmm=clock.hhmm_or_empty,
        committed=committed,
        message=ctx.request.query_params.get("message", ""),
        formats=FORMATS,
        kept_through=_done_through(plan),
    )


@page()
def plan_status_json(ctx: Ctx) -> Response:
    folder = _plan_folder(ctx)
    if folder is None:
        return JSONResponse({"state": "missing"}, status_code=404)
    state = ctx.state.jobs.state(folder)
    data = state.to_json()
    data["error"] = public(ctx, state.error)
    return JSONResponse(data)


@page(post=True)
def plan_cancel(ctx: Ctx) -> Response:
    folder = _plan_folder(ctx)
    if folder is None:
        return ctx.error("404: no such plan", status=404)
    ctx.state.jobs.cancel(folder)
    return RedirectResponse(f"/plans/{folder.name}", status_code=303)


def _done_through(plan) -> dt.date | None:
    """The days of the plan's week that have passed are kept as worked when it is changed."""
    monday = monday_of(plan.parameters.week)
    yesterday = clock.today() - dt.timedelta(days=1)
    if yesterday < monday:
        return None
    return min(yesterday, monday + dt.timedelta(days=6))


@page(post=True)
@_made_plan
def plan_replan(ctx: Ctx, folder: Path) -> Response:
    plan = read_plan(folder / "plan.json")
    done = _done_through(plan)
    pid = new_id()
    job = {
        "kind": "replan",
        "base": f"plans/{folder.name}/plan.json",
        "done_through": done.isoformat() if done else None,
        "pinned": [p.split(" ", 1) for p in ctx.lists.get("pin", [])],
        "skip": ctx.lists.get("drop", []),
        "must_visit": ctx.lists.get("force", []),
        "calendar": _calendar(ctx),
        "time_limit": plan.parameters.time_limit,
        "week": plan.parameters.week,
    }
    ctx.state.jobs.start(ctx.session.folder, ctx.session.plans() / pid, job)
    return RedirectResponse(f"/plans/{pid}", status_code=303)


@page(post=True)
@_made_plan
def plan_commit(ctx: Ctx, folder: Path) -> Response:
    plan = read_plan(folder / "plan.json")
    db = ctx.state.config.db
    try:
        replan_of = None
        if plan.replan is not None:
            with open_history(db) as hist:
                replan_of = hist.active_plan(plan.parameters.week)
        path, res = commit_plan(plan, db=db, source=f"web plan {folder.name}", replan_of=replan_of)
    except CaravanError as exc:
        return ctx.error(str(exc))
    line = recorded_line(path, res)
    write_json(folder / "committed.json", {"line": line, "plan_id": res.plan_id})
    return RedirectResponse(f"/plans/{folder.name}", status_code=303)


@page()
@_made_plan
def plan_file(ctx: Ctx, folder: Path) -> Response:
    """A file of the plan's folder: the map (shown in the page), the files written with it,
    or an export format rendered on first use."""
    name = ctx.request.path_params["name"]
    fmt = next((f for f, n in FORMATS.items() if n == name), None)
    if name not in PLAN_FILES and fmt is None:
        return ctx.error("404: no such file", status=404)
    path = folder / name
    if not path.exists() and fmt is not None:
        try:
            export_plan(read_plan(folder / "plan.json"), fmt=fmt, out=path, calendar=_calendar(ctx))
        except (CaravanError, OutputError) as exc:
            return ctx.error(public(ctx, str(exc)))
    if ctx.request.query_params.get("view") and name in ("map.html", "itinerary.html", "map.png"):
        return FileResponse(path)
    return FileResponse(path, filename=name)


# ---------------------------------------------------------------------------- history


@page()
def history_page(ctx: Ctx) -> Response:
    try:
        with open_history(ctx.state.config.db) as hist:
            plans = hist.plans()
    except CaravanError as exc:
        return ctx.error(str(exc))
    weeks = sorted({p.week for p in plans}, reverse=True)
    rows = [(p, plan_status(p)) for p in reversed(plans)]
    return ctx.render("history.html", plans=rows, weeks=weeks)


def _week(ctx: Ctx) -> str | None:
    try:
        return parse_week(ctx.request.path_params["week"], param="WEEK")[0]
    except CaravanError:
        return None


@page()
def week_page(ctx: Ctx) -> Response:
    week = _week(ctx)
    if week is None:
        return ctx.error("404: not a week", status=404)
    with open_history(ctx.state.config.db) as hist:
        visits = hist.visits(weeks=[week])
    message = ctx.request.query_params.get("message", "")
    return ctx.render("week.html", week=week, visits=visits, message=message, form={})


@page(post=True)
def week_outcomes(ctx: Ctx) -> Response:
    """The outcome form: one row per visit, checked as an outcome file's rows are."""
    week = _week(ctx)
    if week is None:
        return ctx.error("404: not a week", status=404)
    with open_history(ctx.state.config.db) as hist:
        visits = hist.visits(weeks=[week])
        checker = OutcomeChecker(visits=hist.visits(), today=clock.today(), source="outcome form")
        rows = []
        try:
            for i, key in enumerate(ctx.lists.get("key", []), start=1):
                date, unit, code = ([*key.split(" "), "", ""])[:3]
                values = {k: ctx.form.get(f"{k}_{i}", "") for k in _OUTCOME_FIELDS}
                row = checker.check({"date": date, "unit": unit, "code": code, **values}, i)
                if row is not None:
                    rows.append(row)
            new, replaced = hist.record_outcomes(rows, source="web outcome form")
        except CaravanError as exc:
            return ctx.render(
                "week.html", status=400, week=week, visits=visits, message=str(exc), form=ctx.form
            )
    message = f"{ctx.t('committed')}: {new + replaced}"
    return RedirectResponse(f"/history/{week}?message={message}", status_code=303)


_OUTCOME_FIELDS = ("visited", "resolved", "escalated", "resolved_ids", "note")


@page()
def report_page(ctx: Ctx) -> Response:
    with open_history(ctx.state.config.db) as hist:
        weeks = hist.weeks()
    first = ctx.request.query_params.get("from") or (weeks[max(0, len(weeks) - 8)] if weeks else "")
    last = ctx.request.query_params.get("to") or (weeks[-1] if weeks else "")
    return ctx.render("report.html", weeks=weeks, first=first, last=last)


@page()
def report_html(ctx: Ctx) -> Response:
    q = ctx.request.query_params
    try:
        first = parse_week(q.get("from", ""), param="--from")[0]
        last = parse_week(q.get("to", ""), param="--to")[0]
        with open_history(ctx.state.config.db) as hist:
            rep = season_report(hist, first=first, last=last)
    except CaravanError as exc:
        return ctx.error(str(exc))
    # the page names the history database by its file name, not by its path on the server
    page = season_html(rep, lang=ctx.lang, source=Path(ctx.state.config.db).name)
    return Response(page, media_type="text/html; charset=utf-8")


def routes() -> list[Route]:
    return [
        Route("/", home),
        Route("/lang/{lang}", language),
        Route("/complaints", complaints_page),
        Route("/complaints", upload, methods=["POST"]),
        Route("/complaints/{uid}", upload_page),
        Route("/complaints/{uid}/columns", upload_columns, methods=["POST"]),
        Route("/complaints/{uid}/{name}", upload_file),
        Route("/plan", plan_form),
        Route("/plan", plan_start, methods=["POST"]),
        Route("/plans/{pid}", plan_page),
        Route("/plans/{pid}/status", plan_status_json),
        Route("/plans/{pid}/cancel", plan_cancel, methods=["POST"]),
        Route("/plans/{pid}/replan", plan_replan, methods=["POST"]),
        Route("/plans/{pid}/commit", plan_commit, methods=["POST"]),
        Route("/plans/{pid}/files/{name}", plan_file),
        Route("/history", history_page),
        Route("/history/{week}", week_page),
        Route("/history/{week}", week_outcomes, methods=["POST"]),
        Route("/report", report_page),
        Route("/report/season.html", report_html),
    ]


__all__ = ["routes", "valid_id"]
