"""Tests for the HTTP service (claimcheck.serve) through FastAPI's TestClient, and ``claimcheck serve``."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi", reason="the service needs the serve extra: pip install 'claimcheck[serve]'")

from fastapi.testclient import TestClient
from typer.testing import CliRunner

import claimcheck
from claimcheck.cli import app as cli_app
from claimcheck.serve import create_app

# Made-up article texts, written for these tests.
ARTICLE = "According to Mayor Lena Fairweather, the ferry terminal will open in June. The old pier was built in 1911.\n"
OTHER = "Critics say the terminal is too small.\n"
MAX_BYTES = 2_000


@pytest.fixture(scope="module")
def client(checker) -> TestClient:
    return TestClient(create_app(checker, max_bytes=MAX_BYTES))


def test_check(client: TestClient, checker):
    r = client.post("/v1/check", json={"text": ARTICLE, "id": "ferry"})
    assert r.status_code == 200
    assert r.json() == checker.check(ARTICLE, id="ferry").to_dict()
    assert r.json()["claims"][0]["type"] == "named_person"


def test_check_without_id(client: TestClient):
    r = client.post("/v1/check", json={"text": ARTICLE})
    assert r.status_code == 200 and r.json()["id"] is None


def test_batch(client: TestClient, checker):
    r = client.post("/v1/check/batch", json={"articles": [{"text": ARTICLE, "id": "a"}, {"text": OTHER}]})
    assert r.status_code == 200
    reports = r.json()["reports"]
    assert [rep["id"] for rep in reports] == ["a", None]
    assert reports[1] == checker.check(OTHER).to_dict()


def test_check_html(client: TestClient):
    r = client.post("/v1/check/html", json={"text": ARTICLE})
    assert r.status_code == 200
    fragment = r.json()["html"]
    assert 'class="claim t-named_person"' in fragment and 'class="claim t-unattributed"' in fragment
    assert "<html" not in fragment


def test_health(client: TestClient, checker):
    r = client.get("/v1/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "model": checker.model.architecture, "version": claimcheck.__version__}


def test_page(client: TestClient):
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = r.text
    assert "<textarea" in page and 'id="cc-check"' in page and "v1/check/html" in page
    assert "http://" not in page and "https://" not in page


@pytest.mark.parametrize(
    "body",
    [{}, {"id": "x"}, {"text": None}, {"text": 123}, {"text": ["a"]}, {"text": "ok", "extra": 1}],
    ids=["empty-object", "missing", "null", "int", "list", "unknown-field"],
)
def test_bad_body_is_422_with_message(client: TestClient, body):
    r = client.post("/v1/check", json=body)
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert isinstance(detail, list) and detail[0]["msg"]


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_blank_text_is_422(client: TestClient, text):
    r = client.post("/v1/check", json={"text": text})
    assert r.status_code == 422
    assert "text is empty or only whitespace" in r.json()["detail"][0]["msg"]
    r = client.post("/v1/check/batch", json={"articles": [{"text": ARTICLE}, {"text": text}]})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "articles", 1, "text"]


def test_not_json_is_422(client: TestClient):
    r = client.post("/v1/check", content=b"not json", headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["detail"]


@pytest.mark.parametrize("body", [{"articles": []}, {"texts": [ARTICLE]}, {"articles": "x"}])
def test_bad_batch_is_422(client: TestClient, body):
    r = client.post("/v1/check/batch", json=body)
    assert r.status_code == 422 and r.json()["detail"]


def test_too_large_is_413(client: TestClient):
    r = client.post("/v1/check", json={"text": "x" * (MAX_BYTES + 1)})
    assert r.status_code == 413
    assert r.json() == {"detail": f"request body is larger than the limit of {MAX_BYTES} bytes"}


def test_too_large_without_content_length_is_413(client: TestClient):
    def chunks():  # a generator body is sent chunked, with no Content-Length
        yield b'{"text": "'
        for _ in range(10):
            yield b"y" * 300
        yield b'"}'

    r = client.post("/v1/check", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413 and "detail" in r.json()


def test_just_under_the_limit_passes(client: TestClient):
    r = client.post("/v1/check", json={"text": ARTICLE * 10})
    assert r.status_code == 200


def test_openapi(client: TestClient):
    schema = client.get("/openapi.json").json()
    assert schema["info"] == {
        "title": "claimcheck",
        "version": claimcheck.__version__,
        "description": schema["info"]["description"],
    }
    assert {"/v1/check", "/v1/check/batch", "/v1/check/html", "/v1/health"} <= set(schema["paths"])
    assert "ArticleReport" in schema["components"]["schemas"]


def test_serve_command(monkeypatch: pytest.MonkeyPatch):
    import uvicorn
    from fastapi import FastAPI

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append((app, kw)))
    result = CliRunner().invoke(cli_app, ["serve", "--port", "8123", "--max-bytes", "10"])
    assert result.exit_code == 0, result.output
    (served, kw), *_ = calls
    assert isinstance(served, FastAPI)
    assert kw == {"host": "127.0.0.1", "port": 8123}  # never 0.0.0.0 by default
    with TestClient(served) as c:
        assert c.post("/v1/check", json={"text": "A long enough text."}).status_code == 413


def test_lone_surrogate_in_an_id_is_answered(client: TestClient):
    """A JSON ``\\ud800`` escape parses to a lone surrogate, which cannot be written as UTF-8."""
    body = '{"text": "Mayor Ann Ortiz said the bridge will reopen.", "id": "a\\ud800"}'
    r = client.post("/v1/check", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 200 and r.json()["id"] == "a\ufffd"
