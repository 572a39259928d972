"""The language of each request (SPEC 13)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from core.db_errors import DATABASE_UNAVAILABLE

# Scripts compare the API's messages; they stay English whatever the caller's browser asks.
API_PREFIX = "/api/"


def user_saved_language(request: HttpRequest) -> str:
    """The logged-in user's saved choice, or "" when there is none (or nobody is logged in)."""
    try:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return ""
    except DATABASE_UNAVAILABLE:
        # The session or the user could not be read: the view meets the same outage and
        # answers it with the 503 page (core.errors), in the browser's language.
        return ""
    language = getattr(user, "language", "")
    return language if language in dict(settings.LANGUAGES) else ""


class UserLanguageMiddleware(LocaleMiddleware):
    """LocaleMiddleware with the user's saved choice first: the choice, else the
    `django_language` cookie (the chooser of a visitor who is not logged in), else the
    browser's Accept-Language, else LANGUAGE_CODE (French). The API always answers English.

    It runs after AuthenticationMiddleware, which it needs for the user; the portal has no
    language prefix in its URLs, so nothing before it depends on the language.
    """

    def process_request(self, request: HttpRequest) -> None:
        if request.path_info.startswith(API_PREFIX):
            language = "en"
        else:
            language = user_saved_language(request) or translation.get_language_from_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
