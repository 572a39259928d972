"""Issue 17: the French and German catalogs are complete, and no page of the portal or of
our admin pages shows one of our English texts to a French or German reader.

The catalogs are read with polib, as core/management/commands/compile_catalogs.py compiles
them. The pages are tests/i18n_pages.py's list, rendered with demo-like data.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client

from accounts.models import User
from tests.i18n_pages import PAGES, DemoSite, Page, demo_site

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGUAGES = ("fr", "de")
DOMAINS = ("django", "djangojs")
# Fewer characters than this are words that can be anywhere ("OK", "CSV", "URL", "GTIN").
SHORT = 4
# Shown as they are in every language, on purpose: the chooser names each language in itself.
SHOWN_AS_IS = {"English", "Deutsch", "Français"}
_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")
_INVISIBLE = re.compile(r"<(script|style|template)\b.*?</\1>|<!--.*?-->", re.DOTALL | re.IGNORECASE)
# Feed column names (`availability`, `title`) are kept as the feed names them, on purpose: they
# are shown as code or marked translate="no" (the HTML attribute that tells translators so).
_NOT_TRANSLATED = re.compile(r"<code\b[^>]*>.*?</code>|<(\w+)\b[^>]*\stranslate=\"no\"[^>]*>.*?</\1>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
# What a reader sees of an element besides its text.
_SEEN_ATTRIBUTES = re.compile(r'\s(?:title|placeholder|aria-label|alt)="([^"]*)"')


def _catalogs() -> list[Path]:
    return [
        LOCALE / language / "LC_MESSAGES" / f"{domain}.po"
        for language in LANGUAGES
        for domain in DOMAINS
        if (LOCALE / language / "LC_MESSAGES" / f"{domain}.po").exists()
    ]


def _placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


# --- (a) the catalogs ------------------------------------------------------------------
def test_both_languages_have_a_catalog():
    assert {path.parts[-3] for path in _catalogs()} == set(LANGUAGES)


@pytest.mark.parametrize("path", _catalogs(), ids=lambda path: f"{path.parts[-3]}/{path.name}")
def test_every_entry_is_translated_and_none_is_fuzzy(path):
    catalog = polib.pofile(str(path))
    problems = [f"untranslated: {entry.msgid!r}" for entry in catalog.untranslated_entries()]
    problems += [f"fuzzy: {entry.msgid!r}" for entry in catalog.fuzzy_entries()]

    assert not problems, f"{path.relative_to(LOCALE)}: {len(problems)} entries to finish:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", _catalogs(), ids=lambda path: f"{path.parts[-3]}/{path.name}")
def test_translations_keep_the_placeholders_of_their_text(path):
    """A translation that drops or misspells a %(name)s breaks the page that shows it."""
    problems = []
    for entry in polib.pofile(str(path)).translated_entries():
        expected = _placeholders(entry.msgid) | _placeholders(entry.msgid_plural or "")
        for translation in _translations(entry):
            extra = _placeholders(translation) - expected
            # A plural's singular may say "une minute" instead of its %(count)d.
            missing = set() if entry.msgid_plural else expected - _placeholders(translation)
            if extra or missing:
                problems.append(f"{entry.msgid!r} -> {translation!r}")

    assert not problems, "\n".join(problems)


# --- (b) the pages ---------------------------------------------------------------------
def _normalize(text: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def visible_text(page_html: str) -> str:
    """The page as a reader sees it: text without tags, scripts and styles, plus the
    titles, placeholders and labels the browser shows."""
    without_code = _INVISIBLE.sub(" ", page_html)
    without_code = _NOT_TRANSLATED.sub(" ", without_code)
    attributes = " | ".join(_SEEN_ATTRIBUTES.findall(without_code))
    return _normalize(_TAG.sub(" | ", without_code) + " | " + attributes)


def _pattern(msgid: str) -> re.Pattern[str] | None:
    """A msgid as it shows on a page: its tags stripped, its placeholders filled by anything."""
    text = _normalize(_TAG.sub(" ", msgid))
    parts = [part.strip() for part in _PLACEHOLDER.split(text)]
    if sum(len(part) for part in parts) < SHORT or text in SHOWN_AS_IS:
        return None
    # Each literal part stands as whole words ("of" is no part of "Profil"); a placeholder
    # is filled by a value of up to a few words.
    body = r".{1,80}?".join(_whole_words(part) for part in parts if part)
    return re.compile(body)


def _whole_words(part: str) -> str:
    start = r"(?<![\w-])" if re.match(r"\w", part) else ""
    end = r"(?![\w-])" if re.search(r"\w$", part) else ""
    return f"{start}{re.escape(part)}{end}"


def _entries(language: str) -> list[polib.POEntry]:
    paths = [LOCALE / language / "LC_MESSAGES" / f"{domain}.po" for domain in DOMAINS]
    return [entry for path in paths if path.exists() for entry in polib.pofile(str(path)) if not entry.obsolete]


def _translations(entry: polib.POEntry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def english_texts(language: str) -> list[tuple[str, re.Pattern[str]]]:
    """Our English msgids that read differently in the language: not those translated by
    themselves ("GTIN", "CSV"), nor the words the language's own translations use too
    (German writes "Feed" and "Import", French "Import" and "Description")."""
    entries = _entries(language)
    translated = _normalize(" | ".join(_TAG.sub(" ", text) for entry in entries for text in _translations(entry)))
    texts = []
    for entry in entries:
        for msgid in filter(None, (entry.msgid, entry.msgid_plural)):
            pattern = _pattern(msgid)
            if pattern is None or msgid in _translations(entry) or pattern.search(translated):
                continue
            texts.append((msgid, pattern))
    return texts


@pytest.fixture
def site(db, tmp_path, settings) -> DemoSite:
    # An empty log: the Application Logs page shows its own texts, not log lines (data).
    settings.LOG_FILE = tmp_path / "app.log"
    settings.LOG_FILE.write_text("")
    return demo_site(tmp_path)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_no_page_shows_our_english_to_a_french_or_german_reader(site: DemoSite, page: Page, language: str):
    client = Client()
    if page.user is not None:
        client.force_login(User.objects.get(username=page.user))

    headers = {"Accept-Language": language} | ({"HX-Request": "true"} if page.htmx else {})
    if page.post is not None:
        response = client.post(site.url(page), page.post, headers=headers)
    else:
        response = client.get(site.url(page), headers=headers)

    assert response.status_code == page.status, site.url(page)
    assert response["Content-Language"] == language
    text = visible_text(response.content.decode())
    found = sorted({msgid for msgid, pattern in english_texts(language) if pattern.search(text)})
    assert not found, f"{page.name} ({site.url(page)}) in {language} still shows, in English:\n" + "\n".join(
        repr(msgid) for msgid in found
    )


def test_the_check_finds_english_where_there_is_some(site: DemoSite):
    """The same check on a page in English names our texts: it would see them in fr or de."""
    client = Client()
    client.force_login(User.objects.get(username="owner"))

    text = visible_text(client.get("/accounts/profile/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    found = {msgid for msgid, pattern in english_texts("de") if pattern.search(text)}

    assert {"Your profile", "Signed in as %(name)s.", "Save preferences", "Log out"} <= found
    assert "Deutsch" not in found  # the chooser's language names are shown as they are
