"""Who may see and change a store: the one place the portal pages ask."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from stores.models import Store, StoreMembership
from stores.selectors import store_access_get

if TYPE_CHECKING:
    # For the checker only: at run time stores imports nothing from accounts.
    from accounts.requests import AuthenticatedHttpRequest


class StoreHttpRequest(HttpRequest):
    """A portal request once store_for_request has run: what the views and templates read.

    For annotations only; no instance is ever made.
    """

    store: Store
    membership: StoreMembership | None
    can_write: bool


def store_for_request(request: AuthenticatedHttpRequest, code: str, *, write: bool = False) -> Store:
    """The store of the URL, if the user may see it (and change it, with write=True).

    Answers 404 for a store the user does not belong to, so existence is never revealed,
    and PermissionDenied (403) for a member whose role may only read. Sets request.store
    and request.membership for the templates.
    """
    access = store_access_get(user=request.user, code=code)
    if access is None:
        raise Http404("No such store")
    if write and not access.can_write:
        raise PermissionDenied(_("Your role in this store is read-only."))
    store_request = cast(StoreHttpRequest, request)  # the same request: these lines give it the attributes
    store_request.store = access.store
    store_request.membership = access.membership
    store_request.can_write = access.can_write
    return access.store
