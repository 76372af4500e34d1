"""The HTTP service: a thin FastAPI layer over :class:`~claimcheck.pipeline.Checker`.

Endpoints (JSON in and out; the reports are exactly ``ArticleReport.to_dict()``):

- ``POST /v1/check``: ``{"text": str, "id": str | null}`` → a report;
- ``POST /v1/check/batch``: ``{"articles": [{"text": str, "id": str | null}, ...]}``
  → ``{"reports": [...]}``, in the same order;
- ``POST /v1/check/html``: like ``/v1/check`` → ``{"html": str}``, the highlighted
  report as an HTML fragment (what the page at ``/`` shows);
- ``GET /v1/health`` → ``{"status": "ok", "model": str, "version": str}``;
- ``GET /``: a page to paste an article into.

Run it with ``claimcheck serve`` (127.0.0.1:8000 by default) or any ASGI server
on ``create_app()``. Bodies over ``max_bytes`` get 413, invalid bodies 422, both
with a JSON ``{"detail": ...}``.
"""

from __future__ import annotations

import threading
from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictStr, field_validator
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from claimcheck import __version__
from claimcheck.data import ArticleReport
from claimcheck.html import render_fragment, render_page
from claimcheck.pipeline import Checker


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


def create_app(checker: Checker | None = None, max_bytes: int = 1_000_000) -> FastAPI:
    """The service's ASGI app; the model is loaded once, here.

    Args:
        checker: the checker to serve; :meth:`Checker.load` (the shipped default) if None.
        max_bytes: the largest request body accepted; larger ones get 413.
    """
    checker = checker if checker is not None else Checker.load()
    # one article at a time: models are not promised to be thread-safe
    lock = threading.Lock()
    app = FastAPI(
        title="claimcheck",
        version=__version__,
        description="Who stands behind each claim of a news article, and how well is it sourced?",
    )
    app.state.checker = checker
    app.add_middleware(BodyLimit, max_bytes=max_bytes)
    page = index_page()

    def check_one(req: CheckRequest) -> ArticleReport:
        with lock:
            return checker.check(req.text, id=req.id)

    @app.post("/v1/check", response_model=None, responses={200: {"model": ArticleReport}})
    def check(req: CheckRequest) -> dict[str, Any]:
        """Check one article: its claims, attributions and summary."""
        return check_one(req).to_dict()

    @app.post("/v1/check/batch", response_model=None, responses={200: {"model": BatchResponse}})
    def check_batch(req: BatchRequest) -> dict[str, Any]:
        """Check several articles; the reports come back in the same order."""
        with lock:
            reports = checker.check_many([a.text for a in req.articles], ids=[a.id for a in req.articles])
        return {"reports": [r.to_dict() for r in reports]}

    @app.post("/v1/check/html", response_model=HtmlResponse)
    def check_html(req: CheckRequest) -> HtmlResponse:
        """Check one article and return the highlighted report as an HTML fragment."""
        return HtmlResponse(html=render_fragment(check_one(req)))

    @app.get("/v1/health", response_model=Health)
    def health() -> Health:
        return Health(status="ok", model=getattr(checker.model, "architecture", "unknown"), version=__version__)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index() -> str:
        return page

    return app
