"""Reads of a store's catalog: its imported products with their published state and effective values.

Effective values are the store's override when set, else the imported value. They are
computed in the database (``Coalesce``) so that a list, its filters and its ordering are
one query however long the page, and so that a re-import shows at once in every published
product the store did not override.

Every selector takes the store first and only ever returns that store's rows.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import OrderBy
from django.db.models.functions import Coalesce, NullIf
from django.http import Http404
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise, WithAnnotations

from catalog.models import CatalogBulkAction
from marketplace.importing.schema import TRANSLATABLE
from marketplace.membership import feed_product_ids, translations_with_last_seen
from marketplace.models import MarketplaceImportJob, MarketplaceProduct, MarketplaceProductTranslation
from stores.models import Language, Store

PAGE_SIZE_DEFAULT = 25
PAGE_SIZE_MAX = 100

# Public ordering names -> database ordering; "id" last so pages never overlap, and NULLs
# (no price, not published) last on SQLite and PostgreSQL alike.
ORDERINGS: dict[str, tuple[OrderBy, ...]] = {
    "title": (F("title").asc(), F("id").asc()),
    "-title": (F("title").desc(), F("id").desc()),
    "price": (F("effective_price").asc(nulls_last=True), F("id").asc()),
    "-price": (F("effective_price").desc(nulls_last=True), F("id").desc()),
    "sku": (F("marketplace_product_id").asc(), F("id").asc()),
    "-sku": (F("marketplace_product_id").desc(), F("id").desc()),
    "updated": (F("updated_at").asc(), F("id").asc()),
    "-updated": (F("updated_at").desc(), F("id").desc()),
    "display_order": (F("display_order").asc(nulls_last=True), F("title").asc(), F("id").asc()),
}
ORDERING_DEFAULT = "title"

# Finished jobs whose products may be published (a running job's set is still changing).
PUBLISHABLE_JOB_STATUSES = MarketplaceImportJob.FINISHED_STATUSES


class JobScope:
    """Which products "all from this import" means (see ``catalog_job_products``)."""

    ALL = "all"
    CHANGED = "changed"
    CHOICES = (
        (ALL, _("Every product of this import's feed: new, changed and unchanged")),
        (CHANGED, _("Only what this import created or changed")),
    )


class CatalogItemAnnotations(TypedDict):
    """What ``catalog_item_list`` annotates each product with (None when not published)."""

    catalog_product_id: int | None
    is_published: bool
    price_override: Decimal | None
    sale_price_override: Decimal | None
    availability_override: str | None
    condition_override: str | None
    is_featured: bool | None
    is_active: bool | None
    display_order: int | None
    min_quantity: int | None
    max_quantity: int | None
    published_at: datetime | None
    catalog_updated_at: datetime | None
    effective_price: Decimal | None
    effective_sale_price: Decimal | None
    effective_availability: str
    effective_condition: str
    link: str


if TYPE_CHECKING:  # WithAnnotations with a TypedDict is for annotations only, not at run time
    # A product of the store's catalog list: the imported product with its catalog state.
    CatalogItem = WithAnnotations[MarketplaceProduct, CatalogItemAnnotations]


def _blank_to_null(field: str) -> NullIf:
    # Text overrides are stored as "" for "inherit", so Coalesce must see NULL instead.
    return NullIf(F(field), Value(""))


def catalog_item_list(*, store: Store) -> QuerySet[CatalogItem]:
    """The store's imported products, each annotated with its catalog state.

    One row per ``MarketplaceProduct`` of the store, left-joined to the store's
    ``Product`` (at most one, by the unique constraint), with these annotations:

    - ``catalog_product_id`` (None when not published) and ``is_published``;
    - the overrides ``price_override``, ``sale_price_override``, ``availability_override``,
      ``condition_override`` (None / "" = inherit) and the store settings ``is_featured``,
      ``is_active``, ``display_order``, ``min_quantity``, ``max_quantity``,
      ``published_at``, ``catalog_updated_at`` (all None when not published);
    - the effective values ``effective_price``, ``effective_sale_price``,
      ``effective_availability``, ``effective_condition``;
    - ``link``: the product page in the language of its display copy (the store's
      default language, else the first imported).

    The imported values stay on the model fields (``price``, ``availability``...).
    """
    return (
        MarketplaceProduct.objects.filter(store=store)
        .annotate(cp=FilteredRelation("catalog_products", condition=Q(catalog_products__store=store)))
        .annotate(
            catalog_product_id=F("cp__id"),
            is_published=ExpressionWrapper(Q(cp__id__isnull=False), output_field=BooleanField()),
            price_override=F("cp__price"),
            sale_price_override=F("cp__sale_price"),
            availability_override=F("cp__availability"),
            condition_override=F("cp__condition"),
            is_featured=F("cp__is_featured"),
            is_active=F("cp__is_active"),
            display_order=F("cp__display_order"),
            min_quantity=F("cp__min_quantity"),
            max_quantity=F("cp__max_quantity"),
            published_at=F("cp__created_at"),
            catalog_updated_at=F("cp__updated_at"),
            effective_price=Coalesce(F("cp__price"), F("price")),
            effective_sale_price=Coalesce(F("cp__sale_price"), F("sale_price")),
            effective_availability=Coalesce(
                _blank_to_null("cp__availability"), F("availability"), output_field=CharField()
            ),
            effective_condition=Coalesce(_blank_to_null("cp__condition"), F("condition"), output_field=CharField()),
            link=Coalesce(Subquery(display_translation(store).values("link")[:1]), Value(""), output_field=CharField()),
        )
    )


def display_translation(store: Store) -> QuerySet[MarketplaceProductTranslation]:
    """The translation of ``OuterRef("pk")`` its display copy comes from, first."""
    default_first = Case(When(language=store.default_language, then=0), default=1, output_field=IntegerField())
    return MarketplaceProductTranslation.objects.filter(product=OuterRef("pk")).order_by(default_first, "id")


def catalog_item_filter(
    *, store: Store, filters: dict[str, Any] | None = None, ordering: str = ORDERING_DEFAULT
) -> QuerySet[CatalogItem]:
    """``catalog_item_list`` narrowed by the page's and the API's filters.

    Filters (all optional, already cleaned by a form or serializer):
    ``q`` (title, feed id, GTIN or brand contains), ``availability`` (effective),
    ``brand`` (exact, case-insensitive), ``published`` and ``active`` (booleans;
    ``active`` only matches published products), ``featured`` (boolean), ``job``
    (the import that last created or changed the product: a job id, or a job),
    ``missing_language`` (a code of ``CATALOG_LANGUAGES``: products without that translation),
    ``missing`` (SPEC 11: None, the default view, leaves out the products the missing-product
    policy deactivated; True only the missing products, whatever the policy did; False only
    the others).
    """
    filters = filters or {}
    qs = catalog_item_list(store=store)
    q = (filters.get("q") or "").strip()
    if q:
        qs = qs.filter(
            Q(title__icontains=q)
            | Q(marketplace_product_id__icontains=q)
            | Q(gtin__icontains=q)
            | Q(brand__icontains=q)
        )
    if filters.get("availability"):
        qs = qs.filter(effective_availability=filters["availability"])
    if filters.get("brand"):
        qs = qs.filter(brand__iexact=filters["brand"])
    if filters.get("published") is not None:
        qs = qs.filter(cp__id__isnull=not filters["published"])  # type: ignore[misc]  # django-stubs cannot resolve a FilteredRelation alias (cp)
    if filters.get("active") is not None:
        qs = qs.filter(cp__id__isnull=False, cp__is_active=filters["active"])  # type: ignore[misc]  # django-stubs cannot resolve a FilteredRelation alias (cp)
    qs = catalog_item_filter_missing(qs, missing=filters.get("missing"))
    if filters.get("featured") is not None:
        qs = qs.filter(cp__id__isnull=False, cp__is_featured=filters["featured"])  # type: ignore[misc]  # django-stubs cannot resolve a FilteredRelation alias (cp)
    job = filters.get("job")
    if job is not None:
        # The same set as "publish all from this import" (catalog_job_products).
        qs = qs.filter(pk__in=feed_product_ids(job_id=getattr(job, "pk", job)))
    qs = catalog_item_filter_missing_language(qs, language=filters.get("missing_language"))
    return qs.order_by(*ORDERINGS.get(ordering, ORDERINGS[ORDERING_DEFAULT]))


def catalog_item_filter_missing(qs: QuerySet[CatalogItem], *, missing: bool | None) -> QuerySet[CatalogItem]:
    """SPEC 11: a deactivated missing product leaves the default view (None) and so the
    ``active=true`` list; it is never deleted, and ``missing=True`` shows it. The catalog
    ``Product.is_active`` is the store's own choice and is left as it was, so a product that
    comes back is exactly as active as before it went."""
    if missing is None:
        return qs.exclude(missing_action="deactivated")
    return qs.filter(missing_since__isnull=not missing)


def catalog_item_get(*, store: Store, product_id: int) -> CatalogItem:
    """One published product of the store, by its catalog ``Product`` id, annotated as in the list.

    Its translations come with it, as ``translation_list`` (``catalog_item_with_translations``).
    Raises Http404 for an id that is not one of the store's catalog products.
    """
    items = catalog_item_with_translations(catalog_item_list(store=store), store=store)
    item = items.filter(cp__id=product_id).first()  # type: ignore[misc]  # django-stubs cannot resolve a FilteredRelation alias (cp)
    if item is None:
        raise Http404("No such product")
    return item


def catalog_counts(*, store: Store) -> dict[str, int]:
    """Imported, published, active, inactive and unpublished counts, in one query."""
    counts = (
        MarketplaceProduct.objects.filter(store=store)
        .annotate(cp=FilteredRelation("catalog_products", condition=Q(catalog_products__store=store)))
        .aggregate(
            imported=Count("id"),
            published=Count("cp__id"),
            inactive=Count("cp__id", filter=Q(cp__is_active=False)),
        )
    )
    counts["unpublished"] = counts["imported"] - counts["published"]
    counts["active"] = counts["published"] - counts["inactive"]
    return counts


def _reading_order(text: str) -> tuple[str, str]:
    # Letters with accents sort with their base letter and case is ignored, as a French,
    # German or English reader expects ("Éislek" beside "Eis", not after "Zeta"); neither
    # SQLite's binary order nor PostgreSQL's "C" collation does that, and the machine's
    # locales are not ours to rely on. The key is the same whichever of our languages is
    # active: French, German (DIN 5007's dictionary order, "ä" as "a", "ß" as "ss") and
    # English agree at this level. ICU (PyICU) would add the finer rules, but it is a C
    # library to install on every host for a difference no shop owner sees in a brand list.
    base = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return base.casefold(), text


def catalog_brand_list(*, store: Store, limit: int = 500) -> list[str]:
    """Distinct brands of the store's imported products, for the brand filter, in reading order."""
    brands = (
        MarketplaceProduct.objects.filter(store=store)
        .exclude(brand="")
        .order_by("brand")
        .values_list("brand", flat=True)
        .distinct()[:limit]
    )
    return sorted(brands, key=_reading_order)


def catalog_job_list(*, store: Store, limit: int = 50) -> list[MarketplaceImportJob]:
    """The store's latest import jobs, for the import filter, newest first."""
    # A check (dry run) has no products of its own to filter by.
    return list(MarketplaceImportJob.objects.filter(store=store, dry_run=False).order_by("-created_at", "-id")[:limit])


def catalog_job_get(*, store: Store, job_id: int) -> MarketplaceImportJob:
    """One of the store's import jobs; Http404 for any other id, so other stores' jobs stay invisible."""
    job = MarketplaceImportJob.objects.filter(store=store, id=job_id).first()
    if job is None:
        raise Http404("No such import job")
    return job


def catalog_job_products(
    *, store: Store, job: MarketplaceImportJob, scope: str = JobScope.ALL
) -> QuerySet[MarketplaceProduct]:
    """The products "all from this import" means for ``job``.

    - ``JobScope.ALL`` (what a store owner means by "the products of this import"): the
      rows its feed contained, new, changed and unchanged (SPEC 7, feed membership),
      whatever ran after it; an import in another language, or of another part of the
      catalog, takes nothing away.
    - ``JobScope.CHANGED``: the products this import created or changed (and no later
      import changed since: ``last_import_job == job``).
    """
    qs = MarketplaceProduct.objects.filter(store=store)
    if scope == JobScope.CHANGED:
        return qs.filter(last_import_job=job)
    return qs.filter(pk__in=feed_product_ids(job_id=job.pk))


@dataclass(frozen=True)
class JobPublishPreview:
    """What publishing from a job would do, for the confirmation page."""

    changed: int  # created or changed by the job
    all: int  # changed + unchanged since earlier jobs
    all_unpublished: int  # of ``all``, not published yet
    changed_unpublished: int  # of ``changed``, not published yet


def catalog_job_publish_preview(*, store: Store, job: MarketplaceImportJob) -> JobPublishPreview:
    """Counts for the "publish all from this import" confirmation, in one query."""
    published = Q(cp__id__isnull=False)
    changed = Q(last_import_job=job)
    counts = (
        catalog_job_products(store=store, job=job, scope=JobScope.ALL)
        .annotate(cp=FilteredRelation("catalog_products", condition=Q(catalog_products__store=store)))
        .aggregate(
            all=Count("id"),
            all_unpublished=Count("id", filter=~published),
            changed=Count("id", filter=changed),
            changed_unpublished=Count("id", filter=changed & ~published),
        )
    )
    return JobPublishPreview(**counts)


# --- Completeness per language (SPEC 7) --------------------------------------------------
# A store sells in the three feed languages; every product should have a translation in
# each. These selectors say which languages a product has, count them per store, and lay
# the texts side by side. They only ever read the store's own products' translations.

# Columns and badges follow the declaration order of Language (fr, en, de).
CATALOG_LANGUAGES: tuple[str, ...] = tuple(Language.values)
_LANGUAGE_NAMES = dict(Language.choices)


def _language_order() -> Case:
    return Case(
        *(When(language=code, then=Value(index)) for index, code in enumerate(CATALOG_LANGUAGES)),
        default=Value(len(CATALOG_LANGUAGES)),
        output_field=IntegerField(),
    )


def _has_translation(language: str) -> Exists:
    return Exists(MarketplaceProductTranslation.objects.filter(product=OuterRef("pk"), language=language))


def catalog_item_filter_missing_language(qs: QuerySet[CatalogItem], *, language: str | None) -> QuerySet[CatalogItem]:
    """``qs`` without the products that have a translation in ``language`` (None: unchanged).

    ``language`` must be one of ``CATALOG_LANGUAGES`` (the form or serializer checked it).
    """
    if not language:
        return qs
    if language not in CATALOG_LANGUAGES:
        raise ValueError(f"Unknown language: {language!r}")
    return qs.filter(~_has_translation(language))


def catalog_item_with_languages(qs: QuerySet[CatalogItem]) -> QuerySet[CatalogItem]:
    """``qs`` with ``language_list`` on every product: its translations' languages only.

    One prefetch query per page, for the page's products only: annotating each row with an
    EXISTS per language would make the database compute them for every product it sorts
    (twice the time of a 100,000-product page on PostgreSQL). Read it with
    ``catalog_item_language_badges``.
    """
    return qs.prefetch_related(
        Prefetch(
            "translations",
            queryset=MarketplaceProductTranslation.objects.only("id", "product_id", "language"),
            to_attr="language_list",
        )
    )


@dataclass(frozen=True)
class LanguageBadge:
    code: str  # "fr"
    name: StrOrPromise  # "French", in the reader's language
    present: bool


def catalog_item_language_badges(item: MarketplaceProduct) -> list[LanguageBadge]:
    """Which languages a product of ``catalog_item_with_languages`` (or of
    ``catalog_item_with_translations``) has, in column order."""
    translations = getattr(item, "language_list", None)
    if translations is None:
        translations = item.translation_list  # type: ignore[attr-defined]  # set by catalog_item_with_translations
    present = {translation.language for translation in translations}
    return [LanguageBadge(code=code, name=_LANGUAGE_NAMES[code], present=code in present) for code in CATALOG_LANGUAGES]


def catalog_translations_prefetch(*, store: Store) -> Prefetch[Any]:
    """Each product's translations as ``translation_list``, fr, en, de, each with its last
    seen import (``last_seen_job_id``, ``last_seen_at``): one query per page.

    The products were already limited to the store, so their translations are too.
    """
    return Prefetch(
        "translations",
        queryset=translations_with_last_seen(
            MarketplaceProductTranslation.objects.order_by(_language_order(), "id"), store_id=store.pk
        ),
        to_attr="translation_list",
    )


def catalog_item_with_translations(qs: QuerySet[CatalogItem], *, store: Store) -> QuerySet[CatalogItem]:
    """``qs`` with ``translation_list`` on every product (see ``catalog_translations_prefetch``)."""
    return qs.prefetch_related(catalog_translations_prefetch(store=store))


@dataclass(frozen=True)
class LanguageCoverage:
    code: str
    name: StrOrPromise
    count: int  # products that have this language
    missing: int  # products that do not


@dataclass(frozen=True)
class StoreLanguageCoverage:
    total: int  # the store's imported products
    languages: list[LanguageCoverage]


def catalog_language_coverage(*, store: Store) -> StoreLanguageCoverage:
    """How many of the store's products have each language ("FR 298, EN 298, DE 271" of N).

    Two aggregate queries whatever the catalog's size: the products, and their translations
    counted per language (at most one per product and language, by the unique constraint).
    The translations are picked by ``product_id IN (the store's products)``, a semi-join that
    PostgreSQL runs in about half the time of a join (100,000 products, 290,000 translations).
    """
    products = MarketplaceProduct.objects.filter(store=store)
    total = products.count()
    counts = MarketplaceProductTranslation.objects.filter(product_id__in=products.values("id")).aggregate(
        **{code: Count("id", filter=Q(language=code)) for code in CATALOG_LANGUAGES}
    )
    return StoreLanguageCoverage(
        total=total,
        languages=[
            LanguageCoverage(code=code, name=_LANGUAGE_NAMES[code], count=counts[code], missing=total - counts[code])
            for code in CATALOG_LANGUAGES
        ],
    )


@dataclass(frozen=True)
class TranslationCell:
    language: str
    value: str  # "" when missing


@dataclass(frozen=True)
class TranslationRow:
    attribute: str  # a name of TRANSLATABLE
    label: str
    cells: list[TranslationCell]


@dataclass(frozen=True)
class TranslationColumn:
    code: str
    name: StrOrPromise
    is_default: bool
    translation: MarketplaceProductTranslation | None  # None: the product lacks this language


@dataclass(frozen=True)
class TranslationTable:
    columns: list[TranslationColumn]
    rows: list[TranslationRow]


def _translation_label(name: str) -> str:
    """ "mobile_link" -> "Mobile link": the model field's verbose name."""
    field = MarketplaceProductTranslation._meta.get_field(name)
    return capfirst(str(getattr(field, "verbose_name", name)))


def catalog_item_translation_table(*, store: Store, item: MarketplaceProduct) -> TranslationTable:
    """The product's localized attributes side by side: a row per ``TRANSLATABLE`` attribute,
    a column per language of ``CATALOG_LANGUAGES``; a missing language or value is "".

    Uses ``translation_list`` when ``catalog_item_with_translations`` prefetched it, else one query.
    """
    if item.store_id != store.pk:
        raise Http404("No such product")
    translations = getattr(item, "translation_list", None)
    if translations is None:
        translations = list(
            translations_with_last_seen(
                MarketplaceProductTranslation.objects.filter(product=item, product__store=store), store_id=store.pk
            )
        )
    by_language = {t.language: t for t in translations}
    columns = [
        TranslationColumn(
            code=code,
            name=_LANGUAGE_NAMES[code],
            is_default=code == store.default_language,
            translation=by_language.get(code),
        )
        for code in CATALOG_LANGUAGES
    ]
    rows = [
        TranslationRow(
            attribute=name,
            label=_translation_label(name),
            cells=[
                TranslationCell(language=column.code, value=getattr(column.translation, name, "") or "")
                for column in columns
            ],
        )
        for name in TRANSLATABLE
    ]
    return TranslationTable(columns=columns, rows=rows)


def catalog_bulk_action_get(*, store: Store, action_id: int) -> CatalogBulkAction:
    """One of the store's background publishes; Http404 for any other id (another store's too)."""
    action = CatalogBulkAction.objects.filter(store=store, id=action_id).select_related("job").first()
    if action is None:
        raise Http404("No such bulk action")
    return action
