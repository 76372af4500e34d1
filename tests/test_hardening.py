"""Bad input never crashes the checker or loses other results.

Each bad input goes through ``Checker.check`` with the default model and the
baseline (a valid report, see :func:`tests.invariants.check_report`); byte-level
ones (binary, invalid UTF-8, HTML with scripts) through ``decode_article`` and
``claimcheck check``, where a bad file gets a one-line error and the others are
still checked and written. Big inputs (a 10 MB article, 100,000 short lines, a
50,000-word sentence) must finish in bounded time and memory: long texts go
through the model in segments (``claimcheck.pipeline.SEGMENT_CHARS``).
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimcheck import ArticleReport, Checker, cli
from claimcheck.data import Attribution
from claimcheck.html import render_html
from claimcheck.io.documents import InputError, decode_article
from claimcheck.pipeline import CALL_CHARS, SEGMENT_CHARS, SEGMENT_CONTEXT_CHARS, clean_text
from claimcheck.text import split_segments
from eval.loadtest import make_article
from tests.conftest import REPO
from tests.invariants import check_report

# --------------------------------------------------------------------------- inputs (all made up for these tests)

HTML_PAGE = (
    "<!DOCTYPE html><html><head><title>Quay news</title>"
    "<script>var said = 'Mara Quillen said nothing'; document.write('</p>');</script>"
    "<style>p::after { content: 'officials said'; }</style></head><body>"
    "<nav>Home | News</nav><article><p>Mara Quillen said the quay will reopen on Monday.</p>"
    "<SCRIPT type='text/javascript'>track('critics say');</SCRIPT>"
    "<p>Critics say the repairs came too late.</p><noscript>Enable scripts</noscript></article></body></html>"
)

RTL = (
    "قال رئيس البلدية إن الجسر سيفتح يوم الاثنين. «الميناء مغلق»، قالت المتحدثة.\n"
    "אמר ראש העיר כי הגשר ייפתח ביום שני. לדברי הדוברת, ״הנמל סגור״.\n"
    'Mayor Ana Ruiz said "الجسر مغلق" on Monday, according to the port office.\n'
)

EMOJI = (
    '👩‍👩‍👧‍👦 🇫🇷🏳️‍🌈 👍🏽 Mara Quillen said "the 🌉 opens today 😀." 𝔗𝔥𝔢 harbour has 𝟙𝟚𝟛 berths.\n'
    '"🚢 runs at 9," officials said. Cafe\u0301 owners\u200b said\u200d the \ufeffqueue was long.\n'
)

BAD_TEXTS = {
    "empty": "",
    "whitespace": " \t\n\r\n\u00a0\u2003\u3000 \n\x0b\x0c",
    "binary": bytes(range(256)).decode("latin-1") * 3,
    "lone_surrogates": 'Ann Lee said "\ud800 the pier \udfff is closed." \udc80\ud83d',
    "html_source": HTML_PAGE,
    "no_sentences": "... !!! ??? ;;; --- 1234 5678 ,,, 3.14 42 % $ & * ( ) [ ] { } “ ” ‘ ’ ' \" — – … 7",
    "rtl": RTL,
    "emoji": EMOJI,
    "controls": "Ann said it works.\r\nBob said no.\rCarol\u2028said\u2029yes.\x1c\x1d\x1e\x85Next one said so.",
    "combining": "".join(c + "\u0336\u0301\u0323" for c in "Ann Lee said the pier is closed.") + "\n",
    "quotes_only": '"' * 300 + " said " + "“" * 200 + "”" * 5 + "'" * 50,
    "long_word": "Ann said " + "x" * 120_000 + ".",
}


def _words_without_full_stop(n: int) -> str:
    """``n`` words with no full stop, a cue now and then: one runaway sentence."""
    rng = random.Random(7)
    vocab = ["the", "river", "rose", "over", "the", "quay", "and", "boats", "drifted", "past", "sheds", "while"]
    words = [rng.choice(vocab) for _ in range(n)]
    for i in range(0, n, 400):
        words[i : i + 3] = ["Ida", "Brenn", "said"]
    return " ".join(words)


_BACKGROUND = [
    "The quay was built in 1911 and rebuilt after the storm of 1953.",
    "Work on the north pier resumed in the spring.",
    "About 3,000 people cross the strait each day, most of them by the early boats.",
    "The harbour has two slipways, a fuel berth and a small dry dock.",
    "Freight traffic fell by a fifth over the decade.",
    "The council meets on the first Tuesday of each month.",
    "Tides in the narrows run at up to four knots.",
]


def long_article(n_chars: int, seed: int = 0) -> str:
    """A made-up article of ``n_chars`` characters: short reported articles as paragraphs,
    every other paragraph background without a source (about one attribution per 200
    characters, news-like)."""
    rng = random.Random(seed)
    parts: list[str] = []
    size = 0
    while size < n_chars:
        background = len(parts) % 2
        para = " ".join(rng.sample(_BACKGROUND, rng.randint(3, 6))) if background else make_article(rng).strip()
        parts.append(para)
        size += len(para) + 2
    return "\n\n".join(parts)[:n_chars]


@pytest.fixture(scope="module")
def baseline() -> Checker:
    return Checker.load("baseline")


@pytest.fixture(scope="module", params=["default", "baseline"])
def any_checker(request: pytest.FixtureRequest, checker: Checker, baseline: Checker) -> Checker:
    return checker if request.param == "default" else baseline


# --------------------------------------------------------------------------- the library


@pytest.mark.parametrize("name", list(BAD_TEXTS))
def test_bad_text_gives_a_valid_report(any_checker: Checker, name: str):
    text = BAD_TEXTS[name]
    report = any_checker.check(text, id=name)
    check_report(report, text)
    assert report.id == name
    if not text.strip():
        assert report.claims == [] and report.summary.n_claims == 0 and report.summary.sourcing_score is None
    render_html(report)  # the page renders too


def test_bad_texts_in_one_batch_lose_nothing(any_checker: Checker):
    texts = [*BAD_TEXTS.values(), make_article(random.Random(3))]
    ids = [str(n) for n in range(len(texts))]
    reports = any_checker.check_many(texts, ids=ids, batch_size=4)
    assert [r.id for r in reports] == ids
    for report, text in zip(reports, texts, strict=True):
        check_report(report, text, round_trip=False)
    assert reports[-1].attributions, "the good article after the bad ones is still checked"


def test_lone_surrogates_become_replacement_characters(any_checker: Checker):
    text = BAD_TEXTS["lone_surrogates"]
    report = any_checker.check(text)
    assert report.text == "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)
    assert report.text.count("\ufffd") == 4
    assert clean_text("Ann said so.") == "Ann said so."


def test_offsets_are_str_indices_with_emoji_and_rtl(baseline: Checker):
    """Spans count Python characters (code points): astral emoji, ZWJ sequences and
    right-to-left words before a span do not shift it."""
    report = baseline.check(EMOJI)
    sources = {a.text_of("source", EMOJI) for a in report.attributions}
    assert "Mara Quillen" in sources
    mara = next(a for a in report.attributions if a.text_of("source", EMOJI) == "Mara Quillen")
    assert EMOJI[mara.cue[0][0] : mara.cue[0][1]] == "said"
    assert EMOJI.index("Mara Quillen") == mara.source[0][0] == 18  # 18 code points, 28 UTF-16 units
    report = baseline.check(RTL)
    ruiz = next(a for a in report.attributions if "Ana Ruiz" in a.text_of("source", RTL))
    assert "الجسر مغلق" in ruiz.text_of("content", RTL)


def test_not_a_string_is_a_clear_type_error(baseline: Checker):
    with pytest.raises(TypeError, match="must be str, not bytes"):
        baseline.check(b"Ann said so.")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- big inputs

_BIG = """
import json, resource, sys, time
import torch
torch.set_num_threads(1)
from claimcheck import Checker
from tests.invariants import check_report
from tests.test_hardening import long_article
model, size = sys.argv[1], int(sys.argv[2])
text = long_article(size)
checker = Checker.load(model)
start = time.perf_counter()
report = checker.check(text)
seconds = time.perf_counter() - start
check_report(report, text, round_trip=False)
print(json.dumps({"seconds": round(seconds, 1), "claims": len(report.claims), "attributions": len(report.attributions),
                  "last_attribution": max((a.cue or a.source)[0][0] for a in report.attributions),
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))
"""


def _big_run(model: str, size: int, timeout: float) -> dict:
    """Check a ``size``-character article in a fresh process: its time and peak memory."""
    proc = subprocess.run(
        [sys.executable, "-c", _BIG, model, str(size)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"{model}, {size:,} characters: {figures}")
    return figures


def test_10mb_article_with_the_baseline():
    """Was quadratic (a claim looked through every attribution, corroboration compared
    every pair): 10 MB would have taken hours (200 KB took 17 s); now about 25 s in under 1 GB."""
    figures = _big_run("baseline", 10_000_000, timeout=600)
    assert figures["claims"] > 100_000 and figures["last_attribution"] > 9_900_000
    assert figures["peak_rss_mb"] < 3_000


def test_long_article_with_the_default_model(checker: Checker):
    """The tagger kept a 384-float vector per word piece of the whole text (about 1.5 GB
    per MB), and linking and the claim lookup grew with the square of the length: 1 MB
    took 11 minutes and 2.1 GB. Segments and bisection bound both (what each model call
    gets is checked with a stand-in model below); 10 MB now takes about 15 minutes on
    one thread in 1.4 GB."""
    text = long_article(90_000)
    start = time.perf_counter()
    report = checker.check(text)
    print(f"default model, 90,000 characters: {time.perf_counter() - start:.1f} s")
    check_report(report, text, round_trip=False)
    assert len(report.attributions) > 300 and max(a.cue[0][0] for a in report.attributions if a.cue) > 85_000


def test_100000_short_lines(baseline: Checker):
    text = "\n".join(f"{i}: Ida Brenn said boats came." if i % 10 == 0 else f"Line {i} ✓" for i in range(100_000))
    start = time.perf_counter()
    report = baseline.check(text)
    print(f"baseline, 100,000 lines: {time.perf_counter() - start:.1f} s")
    check_report(report, text, round_trip=False)
    assert len(report.claims) == 100_000 and len(report.attributions) >= 9_000


def test_short_lines_with_the_default_model(checker: Checker):
    text = "\n".join(f'"Boats came in {i}," Ida Brenn said.' if i % 2 else f"{i} ✓" for i in range(1_000))
    report = checker.check(text)
    check_report(report, text, round_trip=False)
    assert len(report.claims) == 1_000 and len(report.attributions) >= 250


@pytest.mark.parametrize(("model", "n_words"), [("baseline", 50_000), ("default", 10_000)])
def test_sentence_without_a_full_stop(checker: Checker, baseline: Checker, model: str, n_words: int):
    text = _words_without_full_stop(n_words)
    report = (checker if model == "default" else baseline).check(text)
    check_report(report, text, round_trip=False)
    assert len(report.claims) == 1 and report.attributions


# --------------------------------------------------------------------------- segments


class _CueModel:
    """A stand-in model: an attribution at every "said" (source: the word before), and a
    record of what each ``predict`` call got."""

    architecture = "cue-test"

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def predict(self, texts: list[str]) -> list[list[Attribution]]:
        self.calls.append(list(texts))
        out = []
        for text in texts:
            atts, pos = [], text.find(" said")
            while pos > 0:
                src = text.rfind(" ", 0, pos) + 1
                if src < pos:
                    atts.append(Attribution(id="x", source=[(src, pos)], cue=[(pos + 1, pos + 5)], type="named_person"))
                pos = text.find(" said", pos + 5)
            out.append(atts)
        return out


def test_long_texts_go_in_segments_and_every_attribution_comes_back_once():
    model = _CueModel()
    short = "Ann said so.\n"
    text = "".join(
        [
            long_article(300_000, seed=1),
            "\n" + _words_without_full_stop(30_000),  # a runaway sentence
            "\n" + "Ida said " + "z" * 150_000,  # a word no space cuts
            "\n\n" + long_article(100_000, seed=2),
        ]
    )
    reports = Checker(model).check_many([short, text, short], ids=["a", "b", "c"])
    check_report(reports[1], text, round_trip=False)
    expected = []
    pos = text.find(" said")
    while pos > 0:
        if text[pos - 1] != " ":
            expected.append(pos + 1)
        pos = text.find(" said", pos + 5)
    assert [a.cue[0][0] for a in reports[1].attributions] == expected, "each cue once, at its offset"
    assert all(text[a.source[0][0] : a.source[0][1]].strip() for a in reports[1].attributions)
    assert [a.id for a in reports[1].attributions] == [f"A{k + 1}" for k in range(len(expected))]
    for report in (reports[0], reports[2]):
        assert [(a.id, a.cue) for a in report.attributions] == [("A1", [(4, 8)])]
    for call in model.calls:
        assert all(len(t) <= SEGMENT_CHARS + SEGMENT_CONTEXT_CHARS for t in call)
        assert len(call) == 1 or sum(map(len, call)) <= CALL_CHARS


def test_short_texts_go_whole_in_one_call():
    model = _CueModel()
    texts = ["Ann said so.", "x" * SEGMENT_CHARS, "Bob said no."]
    Checker(model).check_many(texts)
    assert model.calls == [texts]


def test_split_segments_prefers_paragraphs_then_lines_then_sentences():
    text = ("A sentence here. " * 20 + "\n") * 30 + "\n\n" + "word " * 2000 + "z" * 5000
    segments = split_segments(text, 1000, 300)
    assert segments[0][0] == 0 and segments[-1][1] == len(text)
    for (start, end, view), nxt in zip(segments, [*segments[1:], None], strict=True):
        assert 0 < end - start <= 1000 and view <= start and start - view <= 300
        assert view in (0, start) or text[view - 1] in "\n " or text[view - 2] in ".!?"
        if nxt is not None:
            assert nxt[0] == end
    cuts = [text[end - 1] for _, end, _ in segments[:-1]]
    assert cuts[0] == "\n", "a line break before a sentence end"
    assert "z" * 1000 in [text[s:e] for s, e, _ in segments], "hard cuts where there is no space"
    assert split_segments("", 10) == []
    with pytest.raises(ValueError):
        split_segments("abc", 1)


def test_corroboration_compares_neighbours_within_reach():
    """Corroboration looks CORROBORATION_REACH attributions either side: every pair in a
    real article, a bounded number in a book-length text."""
    from claimcheck.scoring import CORROBORATION_REACH, ScoringContext, _mark_corroboration

    def item(n: int, source: str, content: str) -> tuple[Attribution, ScoringContext]:
        att = Attribution(id=f"A{n}", source=[(n * 10, n * 10 + 3)], content=[(n * 10 + 4, n * 10 + 9)])
        att.type = "named_person"
        return att, ScoringContext(source=source, cue="said", sentence="", content=content)

    same = "the ferry will run twice a day from March"
    filler = [item(n, f"Person {n}", f"alpha{n} beta{n} gamma{n} delta{n}") for n in range(2, 2 + CORROBORATION_REACH)]
    pairs = [item(0, "Ida Brenn", same), item(1, "Tomas Okafor", same), *filler, item(999, "Lena Varga", same)]
    atts, contexts = [a for a, _ in pairs], [c for _, c in pairs]
    _mark_corroboration(atts, contexts)
    assert contexts[0].corroborated and contexts[1].corroborated
    assert not contexts[-1].corroborated, "beyond the reach of the first two"
    assert not any(c.corroborated for c in contexts[2:-1])


# --------------------------------------------------------------------------- bytes: decode_article and the CLI

PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00"


def test_decode_article_byte_level():
    with pytest.raises(InputError, match=r"^x\.bin: looks like a binary file"):
        decode_article(PNG_BYTES, "x.bin")
    with pytest.raises(InputError, match=r"^l\.txt: not UTF-8 text \(bad byte at offset 12\)$"):
        decode_article("Ann sagt café.".encode("latin-1"), "l.txt")
    with pytest.raises(InputError, match="not UTF-8"):
        decode_article(b"ok \xed\xa0\x80 surrogate bytes", "s.txt")  # UTF-8 of a lone surrogate
    text = decode_article(HTML_PAGE.encode("utf-8"), "page.html", is_html=True)
    assert text == "Mara Quillen said the quay will reopen on Monday.\n\nCritics say the repairs came too late."
    assert decode_article("Ann said so.\r\n".encode("utf-16"), "u16.txt") == "Ann said so.\r\n"
    with pytest.raises(InputError, match="not UTF-16"):
        decode_article(b"\xff\xfeA\x00\x00\xd8", "bad16.txt")


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "good.txt").write_text("Harbour master Ida Brenn said the ferry will run.\n", encoding="utf-8")
    (tmp_path / "image.txt").write_bytes(PNG_BYTES)
    (tmp_path / "latin1.txt").write_bytes("Le maire a dit que le café ferme.".encode("latin-1"))
    (tmp_path / "page.html").write_text(HTML_PAGE, encoding="utf-8")
    (tmp_path / "blank.txt").write_text(" \n\t\n", encoding="utf-8")
    (tmp_path / "emoji.txt").write_text(EMOJI, encoding="utf-8")
    return tmp_path


def test_cli_bad_files_get_errors_and_the_others_are_written(work: Path):
    files = ["good.txt", "image.txt", "latin1.txt", "page.html", "blank.txt", "emoji.txt"]
    result = CliRunner().invoke(
        cli.app,
        ["check", *files, "--model", "baseline", "--format", "jsonl", "--out", "out.jsonl"],
    )
    assert result.exit_code == 1
    assert "image.txt: looks like a binary file" in result.stderr
    assert "latin1.txt: not UTF-8 text (bad byte at offset 25)" in result.stderr
    assert "blank.txt: empty article" in result.stderr
    records = [json.loads(line) for line in (work / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["path"] for r in records] == ["good.txt", "page.html", "emoji.txt"]
    html = records[1]
    assert "track(" not in html["text"] and "content:" not in html["text"] and "Enable scripts" not in html["text"]
    for record in records:
        for claim in record["claims"]:
            assert record["text"][claim["start"] : claim["end"]] == claim["text"]


class _Exploding:
    """The baseline, except that it fails on any article that says BOOM."""

    def __init__(self, model) -> None:
        self.model = model
        self.architecture = model.architecture

    def predict(self, texts: list[str]) -> list[list[Attribution]]:
        if any("BOOM" in t for t in texts):
            raise RuntimeError("the model fell over")
        return self.model.predict(texts)


def test_cli_a_checker_failure_costs_only_its_article(work: Path, monkeypatch: pytest.MonkeyPatch, baseline: Checker):
    (work / "boom.txt").write_text("Ann said BOOM.\n", encoding="utf-8")
    monkeypatch.setattr(Checker, "load", classmethod(lambda cls, *a, **k: Checker(_Exploding(baseline.model))))
    result = CliRunner().invoke(cli.app, ["check", "good.txt", "boom.txt", "emoji.txt", "--format", "jsonl"])
    assert result.exit_code == 1
    assert "boom.txt: cannot be checked (RuntimeError('the model fell over'))" in result.stderr
    assert [json.loads(line)["path"] for line in result.stdout.splitlines()] == ["good.txt", "emoji.txt"]


# --------------------------------------------------------------------------- the service


@pytest.fixture(scope="module")
def client(baseline: Checker):
    pytest.importorskip("fastapi", reason="the service needs the serve extra")
    from fastapi.testclient import TestClient

    from claimcheck.serve import create_app

    return TestClient(create_app(baseline, max_bytes=50_000), raise_server_exceptions=False)


_J = {"content-type": "application/json"}


@pytest.mark.parametrize(
    "body",
    [
        b'{"text": NaN}',  # was a 500: the 422 echoed the NaN, which JSON cannot carry
        b'{"text": "caf\xe9 said"}',  # invalid UTF-8: was a 400
        b"[" * 10_000 + b"]" * 10_000,  # deeper than the parser goes: was a 400
        b'{"text": "x", "id": ' + b"9" * 5_000 + b"}",  # past Python's digit limit: was a 400
        b'{"text": "unterminated',
        b'{"text": ""}',
        b'{"text": "ok", "bogus": "' + b"y" * 20_000 + b'"}',
    ],
    ids=["nan", "bad-utf8", "too-deep", "huge-int", "not-json", "empty", "unknown-field"],
)
def test_service_malformed_bodies_are_422_without_echo(client, body: bytes):
    r = client.post("/v1/check", content=body, headers=_J)
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, list) and detail[0]["msg"] and "input" not in detail[0]
    assert len(r.content) < 1_000, "the request is not echoed back"
    assert client.get("/v1/health").status_code == 200


def test_service_oversized_then_still_answers(client):
    assert client.post("/v1/check", json={"text": "Ann said so. " * 5_000}).status_code == 413
    r = client.post("/v1/check", content=b'{"text": "Ann Lee said \\ud800 the quay shut."}', headers=_J)
    assert r.status_code == 200 and "\ufffd" in r.json()["text"]
    r = client.post("/v1/check", json={"text": EMOJI})
    assert r.status_code == 200
    check_report(ArticleReport.from_dict(r.json()), EMOJI)


def test_a_cut_at_a_line_break_still_gets_its_lead_in():
    # lines of several sentences, longer than the lead-in: a cut falls right after a line
    # break, and the only line break in the lead-in window is that one
    line = "".join(f"Sentence {k} of this line is here. " for k in range(18)).strip() + "\n"
    text = line * 40
    segments = split_segments(text, 1000, 300)
    assert all(text[start - 1] == "\n" for start, _, _ in segments[1:])
    for start, _, view in segments[1:]:
        assert 0 < start - view <= 300, "a segment after the first sees the sentences before it"
        assert text[view - 2] == "."
