"""Copy the localized attributes that lived on the product only into its translations, give
every product without a translation one in its store's default language, and record feed
membership where the old data can tell it.

Set-based: one UPDATE for the copied values, whatever the table's size; the new rows
(translations of untranslated products, memberships) are inserted in chunks.

The product held one value for every language (whichever feed ran last), so each of its
translations starts from that value; the next import of a language puts that language's
own value in place. Feed membership is known only for a product's last import (the one
that created or changed it): the product counts as contained by that import's feed when
it has a translation in that import's language.
"""

from django.db import migrations
from django.db.models import Exists, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

# Localized attributes that only the product had (link and product_type were kept per
# language already).
PRODUCT_ONLY = ("mobile_link", "color", "size", "material", "pattern")
CHUNK = 5000


def _product_value(Product, name):
    return Subquery(Product.objects.filter(pk=OuterRef("product_id")).values(name)[:1])


def forwards(apps, schema_editor):
    Product = apps.get_model("marketplace", "MarketplaceProduct")
    Translation = apps.get_model("marketplace", "MarketplaceProductTranslation")
    Translation.objects.update(**{name: _product_value(Product, name) for name in PRODUCT_ONLY})

    untranslated = Product.objects.filter(~Exists(Translation.objects.filter(product=OuterRef("pk"))))
    fields = ("title", "description", "link", "product_type", *PRODUCT_ONLY)
    last_id = 0
    while True:
        chunk = list(
            untranslated.filter(pk__gt=last_id)
            .order_by("pk")
            .values("pk", "store__default_language", "created_at", "updated_at", *fields)[:CHUNK]
        )
        if not chunk:
            break
        Translation.objects.bulk_create(
            Translation(
                product_id=row["pk"],
                language=row["store__default_language"],
                created_at=row["created_at"],
                updated_at=row["updated_at"],
                **{name: row[name] for name in fields},
            )
            for row in chunk
        )
        last_id = chunk[-1]["pk"]

    # Feed membership: what is known of it, each product's last import (if it has that
    # import's language).
    Membership = apps.get_model("marketplace", "FeedMembership")
    seen = Product.objects.filter(
        last_import_job__isnull=False,
        translations__language=F("last_import_job__language"),
    ).order_by("pk")
    last_id = 0
    while True:
        chunk = list(seen.filter(pk__gt=last_id).values_list("pk", "last_import_job_id")[:CHUNK])
        if not chunk:
            break
        Membership.objects.bulk_create(
            [Membership(import_job_id=job_id, product_id=pk) for pk, job_id in chunk], ignore_conflicts=True
        )
        last_id = chunk[-1][0]


def backwards(apps, schema_editor):
    # 0008's reversal re-creates the product's columns empty; fill them from a translation
    # (the store's default language where there is one).
    Product = apps.get_model("marketplace", "MarketplaceProduct")
    Translation = apps.get_model("marketplace", "MarketplaceProductTranslation")
    for name in PRODUCT_ONLY + ("link", "product_type"):
        value = (
            Translation.objects.filter(product_id=OuterRef("pk"))
            .order_by("id")
            .values(name)[:1]
        )
        Product.objects.update(**{name: Coalesce(Subquery(value), Value(""))})


class Migration(migrations.Migration):
    dependencies = [
        ("marketplace", "0006_localized_attributes_per_translation"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
