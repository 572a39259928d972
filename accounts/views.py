from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render

from accounts.requests import AuthenticatedHttpRequest
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
