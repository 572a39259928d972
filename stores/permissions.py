"""Who may see and change a store: the one place the portal pages ask."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from stores.models import Store, StoreMembership


def store_for_request(request: HttpRequest, code: str, *, write: bool = False) -> Store:
    """The store of the URL, if the user may see it (and change it, with write=True).

    Answers 404 for a store the user does not belong to, so existence is never revealed,
    and PermissionDenied (403) for a member whose role may only read. Sets request.store
    and request.membership for the templates.
    """
    from django.core.exceptions import PermissionDenied

    store = Store.objects.filter(code=code).first()
    if store is None:
        raise Http404("No such store")
    user = request.user
    membership = None
    if not user.is_staff:
        membership = StoreMembership.objects.filter(user=user, store=store).first()
        if membership is None:
            raise Http404("No such store")
        if write and not membership.can_write:
            raise PermissionDenied("Your role in this store is read-only.")
    request.store = store
    request.membership = membership
    request.can_write = user.is_staff or (membership is not None and membership.can_write)
    return store
