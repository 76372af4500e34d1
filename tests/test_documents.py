"""Tests for claimcheck.io.documents: reading .txt and .html articles, one-line errors for bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimcheck.io.documents import InputError, decode_article, html_to_text, read_article

# Made-up article text, written for these tests.
ARTICLE = "The town hall will reopen on Monday, the clerk said.\n\nCritics called the delay “absurd”.\n"

HTML = """<!DOCTYPE html>
<html>
<head>
  <title>Town hall news</title>
  <script>window.track = function () { return "do not show"; };</script>
  <style>p { color: red; }</style>
</head>
<body>
  <header><nav><a href="/">Home</a> | <a href="/news">News</a></nav></header>
  <nav class="sidebar"><ul><li>Menu item</li></ul></nav>
  <article>
    <p>The town hall will reopen on Monday, the clerk said.</p>
    <script>console.log("inline script");</script>
    <p>Critics called the <em>delay</em> absurd.</p>
    <p>The mayor declined to comment.</p>
  </article>
  <footer><p>Copyright Made-up Gazette</p></footer>
</body>
</html>
"""


def one_line_error(path: Path) -> str:
    with pytest.raises(InputError) as info:
        read_article(path)
    message = str(info.value)
    assert message
    assert "\n" not in message
    assert "\r" not in message
    assert str(path) in message
    return message


def test_input_error_is_a_value_error():
    assert issubclass(InputError, ValueError)


# --------------------------------------------------------------------------- good input


def test_read_txt(tmp_path: Path):
    path = tmp_path / "story.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    assert read_article(path) == ARTICLE
    assert read_article(str(path)) == ARTICLE


def test_read_txt_strips_bom_only(tmp_path: Path):
    path = tmp_path / "story.txt"
    path.write_bytes(b"\xef\xbb\xbf" + ARTICLE.encode("utf-8"))
    assert read_article(path) == ARTICLE


def test_read_txt_keeps_text_unchanged(tmp_path: Path):
    # offsets are into the returned text, so plain text must not be normalised
    text = "  Indented line.\r\nSecond  line with  double spaces.\n"
    path = tmp_path / "story.txt"
    path.write_bytes(text.encode("utf-8"))
    assert read_article(path) == text


def test_read_html(tmp_path: Path):
    path = tmp_path / "story.html"
    path.write_text(HTML, encoding="utf-8")
    assert read_article(path) == (
        "The town hall will reopen on Monday, the clerk said.\n\n"
        "Critics called the delay absurd.\n\n"
        "The mayor declined to comment."
    )


def test_read_html_drops_scripts_and_navigation(tmp_path: Path):
    path = tmp_path / "story.htm"
    path.write_text(HTML, encoding="utf-8")
    text = read_article(path)
    for unwanted in ("do not show", "inline script", "Home", "Menu item", "Copyright", "color", "Town hall news"):
        assert unwanted not in text


def test_html_without_article_uses_main_then_body():
    main = "<html><body><nav>Menu</nav><main><p>First.</p><p>Second.</p></main><p>Outside.</p></body></html>"
    assert html_to_text(main) == "First.\n\nSecond."
    body = "<html><body><div>One.</div><footer>Foot</footer><p>Two.</p></body></html>"
    assert html_to_text(body) == "One.\n\nTwo."


def test_html_detected_in_txt_file(tmp_path: Path):
    path = tmp_path / "saved.txt"
    path.write_text(HTML, encoding="utf-8")
    assert read_article(path).startswith("The town hall will reopen on Monday")


def test_html_block_elements_become_paragraphs():
    html = "<article><h2>Title</h2><p>One<br>two</p><ul><li>A</li><li>B</li></ul><blockquote>Q</blockquote></article>"
    assert html_to_text(html).split("\n\n") == ["Title", "One", "two", "A", "B", "Q"]


def test_html_wrapped_paragraph_gets_single_spaces():
    html = "<article><p>\n    The council met\n    on Tuesday.\n</p></article>"
    assert html_to_text(html) == "The council met on Tuesday."


def test_decode_article_from_bytes():
    assert decode_article(ARTICLE.encode("utf-8"), "<stdin>") == ARTICLE
    assert decode_article(b"<p>Hi there.</p>", "<stdin>", is_html=True) == "Hi there."


# --------------------------------------------------------------------------- bad input


def test_missing_file(tmp_path: Path):
    message = one_line_error(tmp_path / "nope.txt")
    assert "no such file" in message


def test_directory(tmp_path: Path):
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    message = one_line_error(folder)
    assert "directory" in message


def test_empty_file(tmp_path: Path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert "empty" in one_line_error(path)


def test_whitespace_only_file(tmp_path: Path):
    path = tmp_path / "blank.txt"
    path.write_text(" \n\t\n   \r\n", encoding="utf-8")
    assert "empty" in one_line_error(path)


def test_html_without_text(tmp_path: Path):
    path = tmp_path / "blank.html"
    path.write_text("<html><head><script>x()</script></head><body><nav>Menu</nav></body></html>", encoding="utf-8")
    assert "empty" in one_line_error(path)


def test_binary_file(tmp_path: Path):
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    assert "binary" in one_line_error(path)


def test_not_utf8(tmp_path: Path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Le café a fermé, selon le maire.".encode("latin-1"))
    message = one_line_error(path)
    assert "UTF-8" in message
    assert "offset 6" in message  # the é of "café"


def test_not_utf8_html(tmp_path: Path):
    path = tmp_path / "latin1.html"
    path.write_bytes("<p>Déjà vu.</p>".encode("latin-1"))
    assert "UTF-8" in one_line_error(path)


def test_decode_errors_name_the_input():
    with pytest.raises(InputError, match=r"^<stdin>: empty article$"):
        decode_article(b"  \n", "<stdin>")
    with pytest.raises(InputError, match=r"^<stdin>: looks like a binary file"):
        decode_article(b"abc\x00def", "<stdin>")
