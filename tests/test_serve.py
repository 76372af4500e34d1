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
# An article as a file holds it: quotes, apostrophes, '&' and '=' in prose, paragraphs.
PROSE = (
    '"We won\'t close the pier," Mayor Lena Fairweather said on Tuesday. The R&D budget=2% of costs, '
    "a=b&c=d style, she added.\n\nCritics said the plan's cost & timing were unclear.\n"
)


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
    # what it loads, from where, and where it will listen: before uvicorn's own lines
    from claimcheck.models.registry import resolve_model_path

    folder = resolve_model_path(None)
    assert f"loading model {folder.name} from {folder}" in result.output
    assert "starting the server on http://127.0.0.1:8123" in result.output
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


# -- content types: JSON whatever the declared type, text/plain as the article itself, else 415 --


@pytest.mark.parametrize(
    "headers",
    [{"content-type": "application/x-www-form-urlencoded"}, {}, {"content-type": "text/plain; charset=utf-8"}],
    ids=["curl-d-form", "no-content-type", "text-plain-json-object"],
)
def test_json_body_is_read_whatever_its_declared_type(client: TestClient, checker, headers):
    import json

    body = json.dumps({"text": ARTICLE, "id": "ferry"})
    r = client.post("/v1/check", content=body, headers=headers)
    assert r.status_code == 200, r.text
    assert r.json() == checker.check(ARTICLE, id="ferry").to_dict()
    batch = json.dumps({"articles": [{"text": ARTICLE}, {"text": OTHER}]})
    r = client.post("/v1/check/batch", content=batch, headers=headers)
    assert r.status_code == 200 and len(r.json()["reports"]) == 2


def test_plain_text_is_the_article(client: TestClient, checker):
    r = client.post("/v1/check", content=ARTICLE.encode(), headers={"content-type": "text/plain"})
    assert r.status_code == 200
    assert r.json() == checker.check(ARTICLE).to_dict()
    r = client.post("/v1/check/html", content=ARTICLE.encode(), headers={"content-type": "text/plain"})
    assert r.status_code == 200 and 'class="claim t-named_person"' in r.json()["html"]


def test_plain_text_is_decoded_by_its_charset(client: TestClient):
    text = "Café owner Zoë Brandt said the terminal is too small.\n"
    r = client.post(
        "/v1/check", content=text.encode("latin-1"), headers={"content-type": "text/plain; charset=ISO-8859-1"}
    )
    assert r.status_code == 200 and r.json()["text"] == text


@pytest.mark.parametrize(
    ("body", "message"),
    [(b"   \n", "text is empty or only whitespace"), (b"caf\xff said", "not valid utf-8 text")],
    ids=["blank", "bad-utf8"],
)
def test_bad_plain_text_is_422(client: TestClient, body, message):
    r = client.post("/v1/check", content=body, headers={"content-type": "text/plain"})
    assert r.status_code == 422
    assert message in r.json()["detail"][0]["msg"]


@pytest.mark.parametrize(
    ("path", "headers", "body"),
    [
        ("/v1/check", {"content-type": "application/x-www-form-urlencoded"}, b"text=The+plan+will+fail"),
        ("/v1/check/html", {"content-type": "application/x-www-form-urlencoded"}, b"a=b&c=d"),
        ("/v1/check", {"content-type": "text/html"}, b"<p>The plan will fail, she said.</p>"),
        ("/v1/check/batch", {"content-type": "text/plain"}, ARTICLE.encode()),
        ("/v1/check/batch", {"content-type": "application/x-www-form-urlencoded"}, PROSE.encode()),
    ],
    ids=["form", "form-html", "html", "plain-text-batch", "prose-batch"],
)
def test_other_bodies_are_415_naming_the_accepted_types(client: TestClient, path, headers, body):
    r = client.post(path, content=body, headers=headers)
    assert r.status_code == 415
    accepted = r.json()["detail"].split("send ")[-1]
    assert "application/json" in accepted
    assert ("text/plain" in accepted) == (path != "/v1/check/batch")


def test_too_large_plain_text_is_413(client: TestClient):
    r = client.post("/v1/check", content=b"x" * (MAX_BYTES + 1), headers={"content-type": "text/plain"})
    assert r.status_code == 413


def test_openapi_names_plain_text(client: TestClient):
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/v1/check", "/v1/check/html"):
        assert set(paths[path]["post"]["requestBody"]["content"]) == {"application/json", "text/plain"}
    assert set(paths["/v1/check/batch"]["post"]["requestBody"]["content"]) == {"application/json"}


# -- curl -d / --data-binary: they declare a form; the body is read by what it is --

FORM = {"content-type": "application/x-www-form-urlencoded"}


@pytest.mark.parametrize("headers", [FORM, {}], ids=["curl-data-binary", "no-content-type"])
@pytest.mark.parametrize(
    "text",
    [PROSE, "[Updated 3 p.m.] The pier will close, the mayor said.\n", "Café owner Zoë Brandt said: 2+2=4.\n"],
    ids=["quotes-amp-equals", "bracket-start", "non-ascii"],
)
def test_text_body_is_the_article_whatever_its_declared_type(client: TestClient, checker, headers, text):
    """``curl --data-binary @article.txt`` declares a form; a body that is neither JSON nor form
    fields and is UTF-8 text is the article, byte for byte ('+', '&', '=' and newlines kept)."""
    r = client.post("/v1/check", content=text.encode(), headers=headers)
    assert r.status_code == 200, r.text
    assert r.json() == checker.check(text).to_dict()
    r = client.post("/v1/check/html", content=text.encode(), headers=headers)
    assert r.status_code == 200 and "claim" in r.json()["html"]


@pytest.mark.parametrize(
    ("body", "line", "column"),
    [
        (b'{"text": "The plan will fail.",}', 1, 32),
        (b"{'text': 'The plan will fail.'}", 1, 2),
        (b'{\n  "text": "The plan will fail."\n  "id": "x"\n}', 3, 3),
        (b'  [{"text": "The plan', 1, 13),
    ],
    ids=["trailing-comma", "single-quotes", "missing-comma", "truncated-array"],
)
@pytest.mark.parametrize("path", ["/v1/check", "/v1/check/html", "/v1/check/batch"])
@pytest.mark.parametrize("headers", [FORM, {}, {"content-type": "text/plain"}], ids=["form", "none", "text-plain"])
def test_broken_json_is_422_with_the_parsers_message(client: TestClient, path, headers, body, line, column):
    """A body that begins with '{' or '[' is JSON, whatever its declared type: when it does not
    parse, the answer is the parser's error with its line and column, not 415 or a report."""
    r = client.post(path, content=body, headers=headers)
    assert r.status_code == 422, r.text
    (error,) = r.json()["detail"]
    assert error["type"] == "json_invalid"
    assert error["msg"].startswith("JSON decode error: ")
    assert f"line {line} column {column}" in error["msg"]


def test_declared_json_errors_give_line_and_column(client: TestClient):
    r = client.post("/v1/check", content=b'{"text": "a\nb"}', headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["msg"] == "JSON decode error: Invalid control character at: line 1 column 12 (char 11)"


@pytest.mark.parametrize(
    "body",
    [b"The plan\x00 will fail.", "The plan will fail.".encode("utf-16"), b"%PDF-1.7\n\xe2\xe3\xcf\xd3\n"],
    ids=["nul", "utf-16", "pdf"],
)
@pytest.mark.parametrize("path", ["/v1/check", "/v1/check/html", "/v1/check/batch"])
@pytest.mark.parametrize("headers", [FORM, {}], ids=["form", "none"])
def test_binary_body_is_415_naming_the_accepted_types(client: TestClient, path, headers, body):
    r = client.post(path, content=body, headers=headers)
    assert r.status_code == 415
    accepted = r.json()["detail"].split("send ")[-1]
    assert "application/json" in accepted
    assert ("text/plain" in accepted) == (path != "/v1/check/batch")
