from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.forms import NotificationPreferencesForm
from accounts.requests import AuthenticatedHttpRequest
from accounts.services import user_update_notification_preferences
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
                messages.success(request, "Your email preferences are saved.")
            else:
                messages.info(request, "Nothing to save: your email preferences were already like this.")
            return redirect("accounts:profile")
    else:
        form = NotificationPreferencesForm.for_user(user)
    memberships = StoreMembership.objects.filter(user=user).select_related("store").order_by("store__name")
    return render(request, "accounts/profile.html", {"form": form, "memberships": memberships})
