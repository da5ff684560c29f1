"""Ask a complaint platform's web API for JSON, with retries and one-line errors.

:class:`JsonClient` sends GET requests with a bearer token and reads JSON answers. A request
is tried up to ``retries`` times, waiting ``backoff_seconds`` and then twice as long after each
failure, when the server cannot be reached, does not answer within ``timeout`` seconds,
answers HTTP 429 (too many requests: its ``Retry-After``, up to :data:`MAX_RETRY_AFTER`
seconds, is waited instead) or a 5xx error. Any other HTTP error is answered at once with the
server's JSON, so that the platform's own message can be reported. An answer larger than
:data:`MAX_ANSWER_BYTES` is refused. Whatever a server says is printed on one short line
without control characters (:func:`server_words`). The token is never printed.
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass

from caravan.errors import CaravanError
from caravan.text import clean

MAX_ANSWER_BYTES = 256 << 20
MAX_RETRY_AFTER = 60.0
MAX_WORDS = 160


class FetchError(CaravanError):
    """A platform could not be asked, or its answer cannot be used (exit code 1)."""


@dataclass(frozen=True)
class Answer:
    """An HTTP status and the JSON it carried (None when the body was not JSON)."""

    status: int
    data: object
    text: str


@dataclass(frozen=True)
class JsonClient:
    base: str
    token: str
    name: str = "the platform"
    retries: int = 3
    timeout: float = 60.0
    backoff_seconds: float = 1.0

    def get(self, endpoint: str, params: Mapping[str, str]) -> Answer:
        """GET ``base/endpoint?params``: the answer (any HTTP status the server chose to
        answer with), or FetchError after ``retries`` tries."""
        query = urllib.parse.urlencode(params)
        url = f"{self.base.rstrip('/')}/{endpoint}" + (f"?{query}" if query else "")
        request = urllib.request.Request(
            url,
            headers={
                "Accept": "application/json",
                "Authorization": f"Bearer {self.token}",
                "User-Agent": "caravan",
            },
        )
        wait = self.backoff_seconds
        why = ""
        for attempt in range(self.retries):
            if attempt:
                time.sleep(wait)
                wait *= 2
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return _answer(response.status, _body(response))
            except urllib.error.HTTPError as exc:
                status = exc.code
                if status == 429 or status >= 500:
                    why = f"HTTP {status} {_reason(exc)}"
                    wait = max(wait, _retry_after(exc))
                    continue
                return _answer(status, _body(exc))
            except (OSError, http.client.HTTPException) as exc:
                why = self._why(exc)
        tries = f"{self.retries} {'try' if self.retries == 1 else 'tries'}"
        raise FetchError(
            f"cannot get an answer from {self.name} at {self.base} after {tries} ({why})"
        )

    def _why(self, exc: BaseException) -> str:
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        if isinstance(reason, TimeoutError):
            return f"no answer within {self.timeout:g} s"
        if isinstance(reason, OSError) and reason.strerror:
            return reason.strerror
        return server_words(str(reason)) or reason.__class__.__name__


def _body(response) -> bytes:
    try:
        data = response.read(MAX_ANSWER_BYTES + 1)
    except (OSError, http.client.HTTPException):
        return b""
    if len(data) > MAX_ANSWER_BYTES:
        raise FetchError(f"the answer is larger than {MAX_ANSWER_BYTES >> 20} MB: refused")
    return data


def _answer(status: int, body: bytes) -> Answer:
    text = body.decode("utf-8", errors="replace")
    return Answer(status, _json(text), text)


def _json(text: str) -> object:
    """The JSON in an answer; a PHP warning printed before it (seen on the Traffy Fondue
    exchange API) is skipped. None when there is none."""
    for start in (0, text.find("\n{")):
        if start < 0:
            continue
        try:
            return json.loads(text[start:])
        except (ValueError, RecursionError):
            continue
    return None


def _retry_after(exc: urllib.error.HTTPError) -> float:
    try:
        seconds = float(exc.headers.get("Retry-After", "0"))
    except (TypeError, ValueError):
        return 0.0
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def _reason(exc: urllib.error.HTTPError) -> str:
    return server_words(str(exc.reason or "")) or http.client.responses.get(exc.code, "error")


def server_words(text: str, limit: int = MAX_WORDS) -> str:
    """What a server said, on one line of at most ``limit`` characters, with no control
    characters (an escape sequence could rewrite the planner's terminal)."""
    text = clean("".join(ch if ch.isprintable() else " " for ch in text))
    return text if len(text) <= limit else text[: limit - 3] + "..."
