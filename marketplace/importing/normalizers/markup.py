"""HTML in text cells: shops paste their product pages' markup into the feed.

Only reached for a value holding ``&`` or ``<`` (the row normalizer checks the row's texts
with two substring searches first), so plain rows never pay for it.

* Every text: character references decoded (``GORE-TEX&reg;`` -> ``GORE-TEX®``,
  ``&#10003;`` -> ``✓``), only when they end with ``;``: "Salt&pepper" and "R&D" stay as
  they are; a non-breaking space becomes a plain space.
* A title (`strip_tags`): its tags removed, its whitespace collapsed to single spaces.
* A description (`html_to_text`): safe text, line breaks kept: block boundaries (``<p>``,
  ``<br>``, ``<li>``, ``<div>``, headings, table rows...) become line breaks, ``<script>``
  and ``<style>`` are dropped with their content, blank lines removed.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_TAG_START = re.compile(r"</?[A-Za-z!]")
_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0]+")
_BLOCKS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
_DROPPED = frozenset(("script", "style", "head", "title", "noscript", "template"))


def has_markup(value: str) -> bool:
    """Whether `value` holds a tag or a character reference the cleaning would change."""
    return bool(_TAG_START.search(value) or _REFERENCE.search(value))


def decode_entities(value: str) -> str:
    """Character references ending with ";" decoded; a non-breaking space made a space.

    >>> decode_entities("GORE-TEX&reg; &amp; R&D&nbsp;&#10003;")
    'GORE-TEX® & R&D ✓'
    """
    if "&" not in value:
        return value
    return _REFERENCE.sub(_unescape, value).replace("\u00a0", " ")


def _unescape(match: re.Match[str]) -> str:
    return html.unescape(match.group(0))


def strip_tags(value: str) -> str:
    """A title's text: tags removed, references decoded, whitespace collapsed.

    >>> strip_tags("<b>Veste</b> GORE-TEX&reg;<br>homme")
    'Veste GORE-TEX® homme'
    """
    if not _TAG_START.search(value):
        return _SPACES.sub(" ", decode_entities(value)).strip()
    return _SPACES.sub(" ", " ".join(_text_lines(value))).strip()


def html_to_text(value: str) -> str:
    """A description's text: one line per block, scripts and styles dropped.

    >>> html_to_text("<p>Chaude</p><ul><li>Laine</li><li>Coton&nbsp;bio</li></ul><script>x()</script>")
    'Chaude\\nLaine\\nCoton bio'
    """
    if not _TAG_START.search(value):
        return decode_entities(value)
    return "\n".join(_text_lines(value))


def _text_lines(value: str) -> list[str]:
    parser = _TextParser()
    parser.feed(value)
    parser.close()
    text = "".join(parser.parts)
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return [line for line in lines if line]


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._dropped = 0  # depth inside script/style

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED:
            self._dropped += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED:
            self._dropped = max(0, self._dropped - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._dropped:
            # Line breaks of the HTML source are spaces; only blocks break lines.
            self.parts.append(data.replace("\r", " ").replace("\n", " "))
