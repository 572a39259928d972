"""Request types for annotations: what a view may assume about `request.user`.

Django and DRF build plain requests; these classes only tell the type checker what the
view's decorator or permission class has already made sure of. No instance is ever made.
"""

from __future__ import annotations

from django.http import HttpRequest

from accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request behind login_required or admin_view: its user is a logged-in User."""

    user: User
