"""django-filter FilterSets of the import job listings (used by the selectors)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet

from accounts.models import User
from marketplace.models import Marketplace, MarketplaceImportJob
from stores.models import Language


class ImportJobFilter(django_filters.FilterSet):  # type: ignore[misc]  # django-filter is untyped
    """The admin listing's filters; `created_by_me` keeps the jobs of the `user` given."""

    store_id = django_filters.NumberFilter(field_name="store_id")
    store_code = django_filters.CharFilter(field_name="store__code")
    status = django_filters.ChoiceFilter(choices=MarketplaceImportJob.Status.choices)
    marketplace = django_filters.ChoiceFilter(choices=Marketplace.choices)
    language = django_filters.ChoiceFilter(choices=Language.choices)
    created_by_me = django_filters.BooleanFilter(method="filter_created_by_me")
    # SPEC 11: the imports whose removal of missing products waits for the store.
    removal_held = django_filters.BooleanFilter(method="filter_removal_held")

    class Meta:
        model = MarketplaceImportJob
        fields = ["store_id", "store_code", "status", "marketplace", "language", "created_by_me", "removal_held"]

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def filter_removal_held(
        self, queryset: QuerySet[MarketplaceImportJob], name: str, value: bool | None
    ) -> QuerySet[MarketplaceImportJob]:
        return queryset if value is None else queryset.filter(removal_held=value)

    def filter_created_by_me(
        self, queryset: QuerySet[MarketplaceImportJob], name: str, value: bool | None
    ) -> QuerySet[MarketplaceImportJob]:
        if not value or self.user is None:
            return queryset
        return queryset.filter(user=self.user)
