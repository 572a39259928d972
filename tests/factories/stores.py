from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from stores.models import Store, StoreMembership
from tests.factories.accounts import UserFactory


class StoreFactory(DjangoModelFactory[Store]):
    class Meta:
        model = Store
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"store-{n}")
    name = factory.Sequence(lambda n: f"Store {n}")
    default_language = "fr"


class StoreMembershipFactory(DjangoModelFactory[StoreMembership]):
    class Meta:
        model = StoreMembership

    user = factory.SubFactory(UserFactory)
    store = factory.SubFactory(StoreFactory)
    role = StoreMembership.Role.OWNER
