"""SPEC 13: the user's saved language, else the browser's Accept-Language, else French;
the chooser saves on the user (a cookie for a visitor); the API stays English."""

from __future__ import annotations

import re

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from accounts.models import User
from config import settings as project_settings

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"
PROFILE = "/accounts/profile/"
CHOOSE = "/accounts/language/"


@pytest.fixture(autouse=True)
def _french_default(settings):
    """The project's own default (tests/conftest.py makes it English for the other tests)."""
    settings.LANGUAGE_CODE = project_settings.LANGUAGE_CODE


def _page_language(response) -> str:
    match = re.search(r'<html lang="([^"]+)"', response.content.decode())
    assert match, "the page names no language"
    assert response["Content-Language"] == match.group(1)
    return match.group(1)


def test_the_url_is_named():
    assert reverse("accounts:language") == CHOOSE


def test_french_when_nobody_says(client):
    response = client.get(LOGIN)

    assert _page_language(response) == "fr"
    assert project_settings.LANGUAGE_CODE == "fr"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [("de-DE,de;q=0.9,en;q=0.5", "de"), ("en-GB,en;q=0.8", "en"), ("fr-LU", "fr"), ("es-ES,it;q=0.8", "fr")],
)
def test_the_browsers_accept_language_comes_next(client, accept, expected):
    assert _page_language(client.get(LOGIN, HTTP_ACCEPT_LANGUAGE=accept)) == expected


def test_the_users_saved_choice_comes_first(client, owner):
    owner.language = User.Language.EN
    owner.save(update_fields=["language"])
    client.force_login(owner)

    response = client.get(PROFILE, HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")

    assert _page_language(response) == "en"
    assert "Your profile" in response.content.decode()


def test_without_a_saved_choice_the_browser_decides_for_a_logged_in_user(client, owner):
    client.force_login(owner)

    assert _page_language(client.get(PROFILE, HTTP_ACCEPT_LANGUAGE="de")) == "de"
    assert _page_language(client.get(PROFILE)) == "fr"


def test_the_header_chooser_saves_the_choice_on_the_user_and_comes_back(client, owner):
    client.force_login(owner)
    page = client.get(PROFILE, HTTP_ACCEPT_LANGUAGE="en")
    assert f'action="{CHOOSE}"' in page.content.decode()

    response = client.post(CHOOSE, {"language": "de", "next": PROFILE}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 302 and response["Location"] == PROFILE
    owner.refresh_from_db()
    assert owner.language == "de"
    # A fresh browser (no cookie) of the same user gets German too: the choice is the user's.
    other_browser = Client()
    other_browser.force_login(owner)
    assert _page_language(other_browser.get(PROFILE, HTTP_ACCEPT_LANGUAGE="en")) == "de"


def test_a_visitor_chooses_on_the_login_page_and_the_cookie_keeps_it(client):
    response = client.post(CHOOSE, {"language": "de", "next": LOGIN}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 302 and response["Location"] == LOGIN
    assert response.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "de"
    assert _page_language(client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="en")) == "de"


def test_the_profile_shows_the_saved_language_and_can_forget_it(client, owner):
    owner.language = "de"
    owner.save(update_fields=["language"])
    client.force_login(owner)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "de"

    html = client.get(PROFILE).content.decode()
    assert re.search(r'<option value="de" selected>Deutsch</option>', html)

    response = client.post(CHOOSE, {"language": "", "next": PROFILE})

    assert response["Location"] == PROFILE
    owner.refresh_from_db()
    assert owner.language == ""
    assert response.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == ""  # deleted
    assert _page_language(client.get(PROFILE, HTTP_ACCEPT_LANGUAGE="en-GB")) == "en"


def test_a_language_that_is_not_offered_changes_nothing(client, owner):
    client.force_login(owner)

    response = client.post(CHOOSE, {"language": "es", "next": PROFILE}, follow=True, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    owner.refresh_from_db()
    assert owner.language == ""
    assert django_settings.LANGUAGE_COOKIE_NAME not in client.cookies
    assert "Choose one of the languages offered." in response.content.decode()


def test_the_chooser_only_goes_back_to_our_own_pages(client, owner):
    client.force_login(owner)

    response = client.post(CHOOSE, {"language": "en", "next": "https://elsewhere.example/"})

    assert response.status_code == 302 and not response["Location"].startswith("https://elsewhere")


def test_the_chooser_takes_only_posts(client):
    assert client.get(CHOOSE, {"language": "de"}).status_code == 405


def test_the_admin_pages_have_the_chooser_too(client, admin_user):
    client.force_login(admin_user)

    response = client.get("/admin/imports", HTTP_ACCEPT_LANGUAGE="de")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="language-chooser"' in html and 'value="fr"' in html
    assert '<html lang="de"' in html


def test_the_api_answers_english_whatever_the_browser_or_the_user_says(client, owner):
    owner.language = "de"
    owner.save(update_fields=["language"])

    anonymous = client.get("/api/v1/store/marketplace/imports", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
    client.force_login(owner)
    logged_in = client.get("/api/v1/store/marketplace/imports", HTTP_ACCEPT_LANGUAGE="de")

    assert anonymous.status_code == 401
    assert anonymous["Content-Language"] == "en"
    assert anonymous.json()["detail"] == "Authentication credentials were not provided."
    assert logged_in["Content-Language"] == "en"
