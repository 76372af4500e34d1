"""Read an article from a file: plain text, or HTML with its text extracted."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from claimcheck.errors import InputError
from claimcheck.text import PARAGRAPH_BREAK

_BLOCKS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "figcaption", "div", "br", "tr")


def html_to_text(html: str) -> str:
    """Article text from HTML: the ``<article>`` (else ``<main>``, else ``<body>``),
    one paragraph per block element, scripts, styles and navigation dropped."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form"]):
        tag.decompose()
    root = soup.find("article") or soup.find("main") or soup.body or soup
    for tag in root.find_all(_BLOCKS):
        tag.insert_before("\n\n")
        tag.insert_after("\n\n")
    text = root.get_text()
    paragraphs = (re.sub(r"\s+", " ", p).strip() for p in PARAGRAPH_BREAK.split(text))
    return "\n\n".join(p for p in paragraphs if p)


def decode_article(raw: bytes, name: str, is_html: bool = False) -> str:
    """Decode bytes as UTF-8 text (UTF-16 too when it starts with its byte-order mark, as
    Windows editors save "Unicode" text), rejecting binary and empty input with one-line errors."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not raw.startswith(codecs.BOM_UTF32_LE):
        encoding, what = "utf-16", "UTF-16 text despite its byte-order mark"
    elif b"\x00" in raw[:8192]:
        raise InputError(f"{name}: looks like a binary file, not text")
    else:
        encoding, what = "utf-8-sig", "UTF-8 text"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as err:
        raise InputError(f"{name}: not {what} (bad byte at offset {err.start})") from None
    return article_text(text, name, is_html)


def article_text(text: str, name: str, is_html: bool = False) -> str:
    """The article in decoded text: HTML (by flag or by its opening tag) reduced to its
    text; empty articles rejected with a one-line error."""
    if is_html or (text.lstrip()[:15].lower().startswith(("<!doctype html", "<html"))):
        text = html_to_text(text)
    if not text.strip():
        raise InputError(f"{name}: empty article")
    return text


def read_article(path: str | Path) -> str:
    """The article text of a ``.txt`` or ``.html`` file (``-`` is not handled here)."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not an article file")
    if not path.exists():
        raise InputError(f"{path}: no such file")
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise InputError(f"{path}: cannot read ({err.strerror})") from None
    return decode_article(raw, str(path), is_html=path.suffix.lower() in {".html", ".htm"})
