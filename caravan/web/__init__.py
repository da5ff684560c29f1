"""The planner's web page (``caravan serve``): the whole weekly job in a browser, in Thai
first, over the same library as the ``caravan`` command (docs/web.md).

:mod:`~caravan.web.app` (the Starlette app, sessions, CSRF), :mod:`~caravan.web.views`
(the pages), :mod:`~caravan.web.forms` (the plan form, made from PlanRequest's fields),
:mod:`~caravan.web.jobs` and :mod:`~caravan.web.worker` (planning in a process of its own),
:mod:`~caravan.web.workspace` (working folders), :mod:`~caravan.web.i18n` (Thai and
English), :mod:`~caravan.web.config`.
"""

from caravan.web.config import ServeConfig
from caravan.web.server import create_app

__all__ = ["ServeConfig", "create_app"]
