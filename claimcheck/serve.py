"""The HTTP service: a thin FastAPI layer over :class:`~claimcheck.pipeline.Checker`.

Endpoints (JSON in and out; the reports are exactly ``ArticleReport.to_dict()``):

- ``POST /v1/check``: ``{"text": str, "id": str | null}`` → a report;
- ``POST /v1/check/batch``: ``{"articles": [{"text": str, "id": str | null}, ...]}``
  → ``{"reports": [...]}``, in the same order;
- ``POST /v1/check/html``: like ``/v1/check`` → ``{"html": str}``, the highlighted
  report as an HTML fragment (what the page at ``/`` shows);
- ``GET /v1/health`` → ``{"status": "ok", "model": str, "version": str}``;
- ``GET /``: a page to paste an article into.

Bodies are read by what they are, not only by their declared Content-Type (``curl -d`` and
``curl --data-binary`` declare ``application/x-www-form-urlencoded`` whatever they send): a body
that begins with ``{`` (or ``[`` and a value) is JSON, and 422 with the parser's error when it
does not parse; on the one-article endpoints, other text is the article itself (``text/plain``
by its charset; with no type or a form type, UTF-8 text that is not real form fields); binary
bodies, form fields and other types get 415, naming the types accepted. See :func:`read_body`.

Run it with ``claimcheck serve`` (127.0.0.1:8000 by default) or any ASGI server
on ``create_app()``. Bodies over ``max_bytes`` get 413, invalid bodies 422, both
with a JSON ``{"detail": ...}``.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from email.message import Message as EmailMessage
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, StrictStr, field_validator
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from claimcheck.data import ArticleReport
from claimcheck.html import render_fragment, render_page
from claimcheck.pipeline import Checker
from claimcheck.version import __version__

T = TypeVar("T")


class CheckRequest(BaseModel):
    """One article."""

    model_config = ConfigDict(extra="forbid")

    text: StrictStr = Field(description="The article text (plain text; blank lines separate paragraphs).")
    id: StrictStr | None = Field(default=None, description="Your id for the article, echoed in the report.")

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text is empty or only whitespace")
        return value


class BatchRequest(BaseModel):
    """Several articles, checked together."""

    model_config = ConfigDict(extra="forbid")

    articles: list[CheckRequest] = Field(min_length=1)


class BatchResponse(BaseModel):
    reports: list[ArticleReport]


class HtmlResponse(BaseModel):
    html: str = Field(description="The highlighted report as an HTML fragment (needs the page's CSS and script).")


class Health(BaseModel):
    status: str
    model: str
    version: str


class BodyLimit:
    """ASGI middleware: 413 for a body over ``max_bytes``, judged by Content-Length
    and by the bytes actually received (chunked bodies have no Content-Length)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _reject(self, scope: Scope, receive: Receive, send: Send, status: int, detail: str) -> None:
        await JSONResponse({"detail": detail}, status_code=status)(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_large = f"request body is larger than the limit of {self.max_bytes} bytes"
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                await self._reject(scope, receive, send, 400, "invalid Content-Length header")
                return
            if declared > self.max_bytes:
                await self._reject(scope, receive, send, 413, too_large)
                return
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._reject(scope, receive, send, 413, too_large)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body, replayed = b"".join(chunks), False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


_PAGE_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; "
    "img-src data:; base-uri 'none'; form-action 'self'"
)

_PAGE_STYLE = """<style>
.cc-form textarea{width:100%;box-sizing:border-box;min-height:14rem;font:15px/1.5 ui-monospace,Menlo,Consolas,monospace;
  padding:.5rem;border:1px solid #888;border-radius:4px}
.cc-form button{margin-top:.5rem;font-size:1rem;padding:.4rem 1.2rem;border-radius:4px;border:1px solid #0072B2;
  background:#0072B2;color:#fff;cursor:pointer}
.cc-form button:disabled{opacity:.6;cursor:progress}
#cc-status{min-height:1.5rem;color:#333}
</style>"""

_PAGE_SCRIPT = """<script>
(function () {
  var form = document.getElementById('cc-form');
  var button = document.getElementById('cc-check');
  var status = document.getElementById('cc-status');
  var result = document.getElementById('cc-result');
  function message(res) {
    var d = res.data && res.data.detail;
    if (Array.isArray(d)) return d.map(function (x) { return x.msg; }).join('; ');
    return d || ('HTTP ' + res.status);
  }
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var text = document.getElementById('cc-text').value;
    if (!text.trim()) { status.textContent = 'Paste an article first.'; return; }
    button.disabled = true;
    status.textContent = 'Checking…';
    fetch('v1/check/html', {
      method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify({text: text})
    }).then(function (r) {
      return r.json().catch(function () { return null; }).then(function (d) {
        return {ok: r.ok, status: r.status, data: d};
      });
    }).then(function (res) {
      if (!res.ok) throw new Error(message(res));
      if (window.ccPopover) window.ccPopover.hide();
      result.innerHTML = res.data.html;
      var n = result.querySelectorAll('.claim').length;
      status.textContent = 'Checked: ' + n + (n === 1 ? ' claim.' : ' claims.');
    }).catch(function (err) {
      result.innerHTML = '';
      status.textContent = 'Error: ' + err.message;
    }).finally(function () { button.disabled = false; });
  });
})();
</script>"""


def index_page() -> str:
    """The page at ``/``: a textarea, a Check button, and the highlighted report."""
    body = (
        "<h1>claimcheck</h1>"
        "<p>Paste a news article to see who stands behind each claim and how well it is sourced.</p>"
        '<form class="cc-form" id="cc-form">'
        '<label for="cc-text">Article text</label>'
        '<textarea id="cc-text" name="text" required spellcheck="false"></textarea>'
        '<button type="submit" id="cc-check">Check</button>'
        "</form>"
        '<p id="cc-status" role="status" aria-live="polite"></p>'
        '<div id="cc-result"></div>' + _PAGE_STYLE + _PAGE_SCRIPT
    )
    return render_page(body, "claimcheck", csp=_PAGE_CSP)


#: what FastAPI answers (400) when the body is JSON it cannot parse: bad UTF-8, nesting
#: too deep for the parser, an integer of thousands of digits
_PARSE_ERROR = "There was an error parsing the body"


def _error_item(error: dict[str, Any], body: Any = None) -> dict[str, Any]:
    """One validation error without its ``input``: echoing the input would send a megabyte
    text back, and cannot be written at all when it holds NaN (``{"text": NaN}`` parses).

    A JSON syntax error gets the parser's own message, with the line and column that FastAPI
    leaves out (it keeps only the character offset, in ``loc``); ``body`` is the text parsed.
    """
    msg = str(error.get("msg", "invalid"))
    if error.get("type") == "json_invalid" and isinstance(error.get("ctx"), dict):
        reason, loc = str(error["ctx"].get("error", "")), tuple(error.get("loc", ()))
        if reason and isinstance(body, str) and len(loc) == 2 and isinstance(loc[1], int):
            reason = str(json.JSONDecodeError(reason, body, loc[1]))
        msg = f"{msg}: {reason}".rstrip(": ")
    return {
        "type": str(error.get("type", "invalid")),
        "loc": list(error.get("loc", ())),
        "msg": msg,
    }


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, RequestValidationError):
        return JSONResponse({"detail": []}, status_code=422)
    return JSONResponse({"detail": [_error_item(e, exc.body) for e in exc.errors()]}, status_code=422)


async def _http_error(request: Request, exc: StarletteHTTPException) -> Any:
    """FastAPI's 400 for a body its JSON parser gave up on becomes a 422 like any other bad
    body; every other HTTP error is answered as FastAPI does."""
    if exc.status_code == 400 and exc.detail == _PARSE_ERROR:
        cause = type(exc.__cause__).__name__ if exc.__cause__ else "unreadable"
        item = {"type": "json_invalid", "loc": ["body"], "msg": f"request body is not valid JSON ({cause})"}
        return JSONResponse({"detail": [item]}, status_code=422)
    return await http_exception_handler(request, exc)


JSON_TYPE = "application/json"
TEXT_TYPE = "text/plain"
#: what ``curl -d`` and ``curl --data-binary`` declare, whatever they send
FORM_TYPE = "application/x-www-form-urlencoded"
#: the request body of the one-article endpoints in the OpenAPI schema: JSON, or the text itself
_TEXT_BODY = {"requestBody": {"content": {TEXT_TYPE: {"schema": {"type": "string", "title": "Article text"}}}}}
#: what may follow a JSON array's '[': a value or its end (not true/false/null, which begin words)
_JSON_ARRAY_NEXT = frozenset('{["-0123456789]')
#: name=value pairs joined by '&', with no whitespace: what a form really sends (it encodes spaces)
_FORM_FIELDS = re.compile(r"[^\s&=]+=[^\s&]*(?:&+[^\s&=]+=[^\s&]*)*&*")


def _media_type(header: str | None) -> tuple[str, str]:
    """The media type of a Content-Type header, lower case ('' when there is none), and its charset."""
    if not header:
        return "", "utf-8"
    message = EmailMessage()
    message["content-type"] = header
    return header.split(";", 1)[0].strip().lower(), message.get_content_charset() or "utf-8"


def _is_json_type(media: str) -> bool:
    return media == JSON_TYPE or (media.startswith("application/") and media.endswith("+json"))


def looks_like_json(text: str) -> bool:
    """Whether a body is meant as JSON: after a byte-order mark and JSON whitespace it begins
    with '{', or with '[' and then a JSON value. Every endpoint takes an object, so a sender
    of JSON begins with one; prose such as '"Yes," she said.' or '[Updated] ...' is not JSON."""
    head = text.lstrip("\ufeff \t\r\n")
    if head.startswith("{"):
        return True
    return head.startswith("[") and head[1:].lstrip(" \t\r\n")[:1] in _JSON_ARRAY_NEXT


def is_form_fields(text: str) -> bool:
    """Whether a form-declared body is real form fields (``text=The+plan&id=7``), not an article
    that ``curl --data-binary`` declared a form: form encoding leaves no whitespace in the body,
    and an article has some, so prose with '&' and '=' in it is still prose."""
    return _FORM_FIELDS.fullmatch(text.strip()) is not None


def _unsupported(detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=415)


def _text_body(text: str) -> bytes:
    return text.encode() if looks_like_json(text) else json.dumps({"text": text}).encode()


def read_body(body: bytes, media: str, charset: str, takes_text: bool) -> bytes | JSONResponse:
    """The JSON to hand FastAPI for a non-empty body not declared JSON, or the answer without it.

    Whatever the declared type, a body that looks like JSON (:func:`looks_like_json`) is JSON:
    when it does not parse, FastAPI answers 422 with the parser's error. Otherwise, where the
    route takes one article (``takes_text``): a ``text/plain`` body is the article, decoded by
    its charset (422 when it cannot be); a body with no type or declared a form (what
    ``curl --data-binary @article.txt`` sends) is the article when it is UTF-8 text with no NUL
    and not real form fields (:func:`is_form_fields`). Anything else gets 415.
    """
    declared = f"content type {media}" if media else "no content type"
    accepted = f"{JSON_TYPE}, or the article itself as UTF-8 text ({TEXT_TYPE})" if takes_text else JSON_TYPE
    if media == TEXT_TYPE and takes_text:
        try:
            return _text_body(body.decode(charset))
        except (LookupError, UnicodeDecodeError) as e:
            item = {"type": "text_invalid", "loc": ["body"], "msg": f"body is not valid {charset} text ({e})"}
            return JSONResponse({"detail": [item]}, status_code=422)
    if looks_like_json(body.decode("utf-8", "replace")):
        return body
    if not takes_text or media not in ("", FORM_TYPE):
        return _unsupported(f"the body is not JSON and has {declared}: send {accepted}")
    try:
        text: str | None = body.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is None or "\x00" in text:
        return _unsupported(f"the body is neither JSON nor UTF-8 text ({declared}): send {accepted}")
    if media == FORM_TYPE and is_form_fields(text):
        return _unsupported(f"the body is form fields ({declared}), which are not read: send {accepted}")
    return json.dumps({"text": text}).encode()


def _with_json_body(request: Request, body: bytes) -> Request:
    """``request`` with ``body`` as its body, declared JSON."""
    headers = [(k, v) for k, v in request.scope["headers"] if k not in (b"content-type", b"content-length")]
    headers += [(b"content-type", JSON_TYPE.encode()), (b"content-length", str(len(body)).encode())]
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await request.receive()

    return Request({**request.scope, "headers": headers}, receive)


class ArticleRoute(APIRoute):
    """A route whose body is read by what it is, not only by its declared Content-Type (the
    FastAPI way to change a request before its handler: a custom ``APIRoute``).

    A body declared JSON, or empty (422: body missing), goes to FastAPI as it is; any other
    is read by :func:`read_body`. On a route whose body is one :class:`CheckRequest`, that
    takes the article text itself as the body.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if self.body_field is None:
            return handler
        takes_text = self.body_field.field_info.annotation is CheckRequest

        async def route(request: Request) -> Response:
            media, charset = _media_type(request.headers.get("content-type"))
            if _is_json_type(media):
                return await handler(request)
            body = await request.body()
            if not body:
                return await handler(request)
            read = read_body(body, media, charset, takes_text)
            if isinstance(read, Response):
                return read
            return await handler(_with_json_body(request, read))

        return route


def create_app(checker: Checker | None = None, max_bytes: int = 1_000_000) -> FastAPI:
    """The service's ASGI app; the model is loaded once, here.

    Args:
        checker: the checker to serve; :meth:`Checker.load` (the shipped default) if None.
        max_bytes: the largest request body accepted; larger ones get 413.
    """
    checker = checker if checker is not None else Checker.load()
    # The model runs on one thread of its own, one request at a time: models are not promised
    # to be thread-safe, and torch's OpenMP starts a team of threads for every thread that
    # calls it (a lock over the server's worker threads left 39 threads after 16 concurrent
    # clients, against 11 now). The JSON is written on a worker thread, off the model's.
    model_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="claimcheck-model")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        model_thread.shutdown(wait=False, cancel_futures=True)  # a stopping server runs no queued checks

    app = FastAPI(
        lifespan=lifespan,
        title="claimcheck",
        version=__version__,
        description="Who stands behind each claim of a news article, and how well is it sourced?",
    )
    app.router.route_class = ArticleRoute  # the routes below read JSON and plain-text bodies
    app.state.checker = checker
    app.add_middleware(BodyLimit, max_bytes=max_bytes)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    page = index_page()

    async def answer(check: Callable[[], T], payload: Callable[[T], dict[str, Any]]) -> Response:
        """``check()`` on the model thread, then ``payload(result)`` as JSON on a worker thread."""
        result = await asyncio.get_running_loop().run_in_executor(model_thread, check)

        def encode() -> bytes:
            return json.dumps(payload(result), ensure_ascii=False, separators=(",", ":")).encode("utf-8")

        return Response(await run_in_threadpool(encode), media_type="application/json")

    @app.post("/v1/check", response_model=None, responses={200: {"model": ArticleReport}}, openapi_extra=_TEXT_BODY)
    async def check(req: CheckRequest) -> Response:
        """Check one article: its claims, attributions and summary."""
        return await answer(lambda: checker.check(req.text, id=req.id), ArticleReport.to_dict)

    @app.post("/v1/check/batch", response_model=None, responses={200: {"model": BatchResponse}})
    async def check_batch(req: BatchRequest) -> Response:
        """Check several articles; the reports come back in the same order."""
        return await answer(
            lambda: checker.check_many([a.text for a in req.articles], ids=[a.id for a in req.articles]),
            lambda reports: {"reports": [r.to_dict() for r in reports]},
        )

    @app.post("/v1/check/html", response_model=HtmlResponse, openapi_extra=_TEXT_BODY)
    async def check_html(req: CheckRequest) -> Response:
        """Check one article and return the highlighted report as an HTML fragment."""
        return await answer(lambda: checker.check(req.text, id=req.id), lambda r: {"html": render_fragment(r)})

    # async: answered on the event loop, never queued behind checks waiting for the model
    @app.get("/v1/health", response_model=Health)
    async def health() -> Health:
        return Health(status="ok", model=getattr(checker.model, "architecture", "unknown"), version=__version__)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def index() -> str:
        return page

    return app
