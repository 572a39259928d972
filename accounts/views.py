from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language

from accounts.forms import LanguageForm, NotificationPreferencesForm
from accounts.requests import AuthenticatedHttpRequest
from accounts.services import user_update_language, user_update_notification_preferences
from stores.models import StoreMembership
from stores.selectors import store_list_for_user


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Where a user lands after login: admins on /admin/, store users on their store."""
    if request.user.is_staff:
        return redirect("admin:index")
    stores = list(store_list_for_user(user=request.user))
    if len(stores) == 1:
        return redirect("dashboard:store", code=stores[0].code)
    return render(request, "accounts/choose_store.html", {"stores": stores})


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The user's own email preferences: no id in the URL, so nobody reaches another's."""
    user = request.user
    if request.method == "POST":
        form = NotificationPreferencesForm(request.POST)
        if form.is_valid():
            changed = user_update_notification_preferences(user=user, data=form.cleaned_data)
            if changed:
                messages.success(request, _("Your email preferences are saved."))
            else:
                messages.info(request, _("Nothing to save: your email preferences were already like this."))
            return redirect("accounts:profile")
    else:
        form = NotificationPreferencesForm.for_user(user)
    memberships = StoreMembership.objects.filter(user=user).select_related("store").order_by("store__name")
    language_form = LanguageForm(initial={"language": user.language})
    context = {"form": form, "language_form": language_form, "memberships": memberships}
    return render(request, "accounts/profile.html", context)


@require_POST
def language_choose(request: HttpRequest) -> HttpResponse:
    """The language chooser of the header and of the profile (SPEC 13): saved on the user
    when someone is logged in, and in Django's `django_language` cookie in every case, so
    that the login page after a logout keeps it. Django's own set_language view sets the
    cookie and checks `next`; "" (the profile's "as my browser asks") forgets both."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        # Only a hand-made request gets here: the chooser offers nothing else.
        messages.error(request, _("Choose one of the languages offered."))
        return redirect(_next_url(request))
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        user_update_language(user=request.user, language=language)
    if language:
        return set_language(request)
    response = redirect(_next_url(request))
    response.delete_cookie(settings.LANGUAGE_COOKIE_NAME, path=settings.LANGUAGE_COOKIE_PATH)
    return response


def _next_url(request: HttpRequest) -> str:
    """The page the chooser was on, if it is one of ours; else the user's home."""
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return str(settings.LOGIN_REDIRECT_URL)
