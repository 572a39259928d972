"""Issue 15: three languages, one product (SPEC 7 "Languages (revised)" and "Feed membership").

Each language's feed of a store has the same ids and prices, and its own texts, links and
attributes. Imported one after the other, they give one product with one translation per
language, each with its own values; a language never changes another's; the counters say
what happened; and "the products of an import" are exactly the rows of its feed.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from catalog.models import Product
from catalog.selectors import catalog_job_products
from catalog.services import product_publish
from marketplace.importing.schema import TRANSLATABLE
from marketplace.membership import translations_with_last_seen
from marketplace.models import (
    FeedMembership,
    MarketplaceImportError,
    MarketplaceProduct,
    MarketplaceProductTranslation,
)
from tests.marketplace.importing.conftest import counters, import_file, write_feed

pytestmark = pytest.mark.django_db

HEADER = ["id", "title", "description", "link", "product_type", "color", "size", "material", "price", "availability"]
WORDS = {
    "fr": {"title": "Chemise", "color": "rouge", "size": "grand", "material": "coton", "type": "Vêtements > Chemises"},
    "en": {"title": "Shirt", "color": "red", "size": "large", "material": "cotton", "type": "Clothing > Shirts"},
    "de": {"title": "Hemd", "color": "rot", "size": "groß", "material": "Baumwolle", "type": "Kleidung > Hemden"},
}


def _row(n: int, language: str, price: str = "29.99") -> list[str]:
    w = WORDS[language]
    return [
        f"LS-{n:05d}",
        f"{w['title']} {n}",
        f"{w['title']} {n} ({language})",
        f"https://shop.example.lu/{language}/{n}",
        w["type"],
        w["color"],
        w["size"],
        w["material"],
        f"{price} EUR",
        "in stock",
    ]


def _feed(tmp_path, language: str, numbers, name: str = "", **kwargs):
    path = tmp_path / f"{name or language}.csv"
    return write_feed(path, [_row(n, language, **kwargs) for n in numbers], header=HEADER)


def _import(store, tmp_path, language: str, numbers=(1, 2, 3), **kwargs):
    job = import_file(store, _feed(tmp_path, language, numbers, **kwargs), language=language)
    assert job.status == "completed", (job.status, job.error_message)
    return job


def test_three_feeds_give_one_product_with_three_translations_each_with_its_own_values(store, tmp_path):
    fr = _import(store, tmp_path, "fr")
    en = _import(store, tmp_path, "en")
    de = _import(store, tmp_path, "de")

    assert counters(fr) == (3, 0, 0, 0, 0, 3)
    # Nothing language-neutral changed: unchanged, and the job says the language was added.
    for job in (en, de):
        assert counters(job) == (0, 0, 3, 0, 0, 3)
        assert job.translations_added == 3
    assert MarketplaceProduct.objects.filter(store=store).count() == 3
    product = MarketplaceProduct.objects.get(store=store, marketplace_product_id="LS-00001")
    by_language = {t.language: t for t in product.translations.all()}
    assert set(by_language) == {"fr", "en", "de"}
    for language, words in WORDS.items():
        t = by_language[language]
        assert (t.title, t.color, t.size, t.material, t.product_type, t.link) == (
            f"{words['title']} 1",
            words["color"],
            words["size"],
            words["material"],
            words["type"],
            f"https://shop.example.lu/{language}/1",
        )
    # The display copy is the store's default language (French); the localized attributes
    # are no longer fields of the product at all.
    assert (product.title, product.price) == ("Chemise 1", Decimal("29.99"))
    product_fields = {f.name for f in MarketplaceProduct._meta.get_fields()}
    assert product_fields & set(TRANSLATABLE) == {"title", "description"}


def test_a_re_import_of_one_language_leaves_the_others_untouched_and_counts_unchanged(store, tmp_path):
    for language in ("fr", "en", "de"):
        _import(store, tmp_path, language)
    before = {
        (t.product_id, t.language): (t.title, t.color, t.updated_at)
        for t in MarketplaceProductTranslation.objects.exclude(language="en")
    }

    again = _import(store, tmp_path, "en", name="en-again")
    changed_en = import_file(
        store,
        write_feed(
            tmp_path / "en-new.csv",
            [[*_row(1, "en")[:5], "blue", *_row(1, "en")[6:]], _row(2, "en"), _row(3, "en")],
            header=HEADER,
        ),
        language="en",
    )

    assert (counters(again), again.translations_added) == ((0, 0, 3, 0, 0, 3), 0)
    # A colour is localized: the English change is an update of the English text only.
    assert counters(changed_en) == (0, 1, 2, 0, 0, 3)
    after = {
        (t.product_id, t.language): (t.title, t.color, t.updated_at)
        for t in MarketplaceProductTranslation.objects.exclude(language="en")
    }
    assert after == before
    product = MarketplaceProduct.objects.get(marketplace_product_id="LS-00001")
    assert product.translations.get(language="en").color == "blue"
    assert product.translations.get(language="fr").color == "rouge"
    # And the untouched languages are still recognized unchanged.
    assert counters(_import(store, tmp_path, "fr", name="fr-again")) == (0, 0, 3, 0, 0, 3)


def test_a_language_neutral_value_that_differs_from_another_language_is_a_warning_and_the_newer_wins(store, tmp_path):
    fr = _import(store, tmp_path, "fr", price="31.00")
    en = _import(store, tmp_path, "en", price="29.99")

    assert (en.updated_count, en.translations_added, en.warning_count) == (3, 3, 3)
    warnings = list(MarketplaceImportError.objects.filter(import_job=en).order_by("row_number"))
    assert [(w.row_number, w.error_type, w.severity, w.field) for w in warnings] == [
        (n, "language_conflict", "warning", "price") for n in (2, 3, 4)
    ]
    assert warnings[0].error_message == (
        f"Price 29.99 in this English import differs from 31.00 set by the French import #{fr.pk};"
        " the newer value, 29.99, is kept."
    )
    assert MarketplaceProduct.objects.get(marketplace_product_id="LS-00001").price == Decimal("29.99")
    # The same price in a third language is no conflict.
    de = _import(store, tmp_path, "de", price="29.99")
    assert (de.warning_count, de.updated_count, de.unchanged_count) == (0, 0, 3)


def test_feed_membership_is_recorded_for_every_row_of_the_feed_unchanged_ones_included(store, tmp_path):
    first = _import(store, tmp_path, "fr")
    again = _import(store, tmp_path, "fr", name="fr-again", numbers=(1, 2))
    english = _import(store, tmp_path, "en", numbers=(1,))

    assert counters(again) == (0, 0, 2, 0, 0, 2)
    contained = FeedMembership.objects.values_list("import_job_id", "product__marketplace_product_id")
    assert sorted(contained) == sorted(
        [(first.pk, "LS-00001"), (first.pk, "LS-00002"), (first.pk, "LS-00003")]
        + [(again.pk, "LS-00001"), (again.pk, "LS-00002"), (english.pk, "LS-00001")]
    )
    # Each translation's last import that contained it.
    seen = translations_with_last_seen(MarketplaceProductTranslation.objects.all(), store_id=store.pk)
    assert {(t.product.marketplace_product_id, t.language): t.last_seen_job_id for t in seen} == {
        ("LS-00001", "fr"): again.pk,
        ("LS-00002", "fr"): again.pk,
        ("LS-00003", "fr"): first.pk,
        ("LS-00001", "en"): english.pk,
    }
    assert all(t.last_seen_at is not None for t in seen)


def test_only_the_newest_imports_of_a_language_keep_their_feed_membership(store, tmp_path, settings):
    settings.MARKETPLACE_FEED_MEMBERSHIP_KEEP = 2
    jobs = [_import(store, tmp_path, "fr", name=f"fr-{n}") for n in range(3)]
    english = _import(store, tmp_path, "en")

    kept = set(FeedMembership.objects.values_list("import_job_id", flat=True))
    assert kept == {jobs[1].pk, jobs[2].pk, english.pk}


def test_deleting_an_import_deletes_its_feed_membership_and_nothing_else(store, tmp_path):
    # The table has no database constraint on the import (a per-row check at every commit
    # was a sixth of an unchanged re-import): the ORM's cascade is what keeps it clean.
    first = _import(store, tmp_path, "fr")
    second = _import(store, tmp_path, "fr", name="fr-again")

    first.delete()

    assert set(FeedMembership.objects.values_list("import_job_id", flat=True)) == {second.pk}
    assert FeedMembership.objects.count() == 3 and MarketplaceProduct.objects.count() == 3


def test_publish_all_from_an_import_publishes_exactly_the_products_of_its_feed(store, tmp_path):
    french = _import(store, tmp_path, "fr", numbers=range(1, 6))  # LS-1..5
    english = _import(store, tmp_path, "en", numbers=(1, 2))  # two of them in English
    # An unrelated French upload of other products (a part of the catalog).
    unrelated = _import(store, tmp_path, "fr", numbers=range(100, 104), name="other")

    def ids(job):
        return sorted(catalog_job_products(store=store, job=job).values_list("marketplace_product_id", flat=True))

    assert ids(french) == [f"LS-{n:05d}" for n in range(1, 6)]
    assert ids(english) == ["LS-00001", "LS-00002"]
    assert ids(unrelated) == [f"LS-{n:05d}" for n in range(100, 104)]
    for job in (french, english, unrelated):
        assert len(ids(job)) == job.imported_count + job.updated_count + job.unchanged_count

    result = product_publish(store=store, job=english)

    assert (result.matched, result.published) == (2, 2)
    published = Product.objects.filter(store=store).values_list(
        "marketplace_product__marketplace_product_id", flat=True
    )
    assert sorted(published) == ["LS-00001", "LS-00002"]


def test_the_products_of_an_import_leave_out_its_failed_rows_and_another_stores_products(store, other_store, tmp_path):
    feed = write_feed(
        tmp_path / "mixed.csv", [_row(1, "fr"), ["", "no id", "", "", "", "", "", "", "1 EUR", ""]], HEADER
    )
    job = import_file(store, feed, language="fr")
    import_file(other_store, _feed(tmp_path, "fr", (1, 2), name="other-store"), language="fr")

    assert (job.imported_count, job.error_count) == (1, 1)
    assert list(catalog_job_products(store=store, job=job).values_list("marketplace_product_id", flat=True)) == [
        "LS-00001"
    ]
