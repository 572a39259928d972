"""Child process: django-import-export importing the same feed rows into MarketplaceProduct.

    python -m benchmarks.run_die --feed FILE --rows 10000 --store CODE

Configured the way its documentation suggests for an import keyed on a natural id: a
ModelResource with import_id_fields, skip_unchanged, and widgets for the Google formats
it cannot read by itself (prices with a currency, yes/no, "in stock", image lists). It is
slow, so the benchmark gives it a slice of the feed and compares rows per second.
"""

from __future__ import annotations

import argparse
import csv
import time
from itertools import islice
from pathlib import Path
from typing import Any

from benchmarks._child import report, setup_django

_TEXT_COLUMNS = [
    "title",
    "description",
    "link",
    "mobile_link",
    "image_link",
    "sale_price_effective_date",
    "availability_date",
    "condition",
    "brand",
    "gtin",
    "mpn",
    "google_product_category",
    "product_type",
    "item_group_id",
    "color",
    "size",
    "size_type",
    "size_system",
    "gender",
    "age_group",
    "material",
    "pattern",
    "energy_efficiency_class",
    "unit_pricing_measure",
    "unit_pricing_base_measure",
    "shipping",
    "shipping_weight",
    "tax_category",
    "custom_label_0",
    "custom_label_1",
    "custom_label_2",
    "custom_label_3",
    "custom_label_4",
    "promotion_id",
]


def build_resource(store: Any) -> Any:
    from import_export import fields, resources, widgets

    from marketplace.models import MarketplaceProduct

    class PriceWidget(widgets.DecimalWidget):  # type: ignore[misc]  # django-import-export is untyped
        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
            return super().clean((value or "").replace("EUR", "").strip() or None, row, **kwargs)

    class YesNoWidget(widgets.BooleanWidget):  # type: ignore[misc]  # django-import-export is untyped
        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
            return {"yes": True, "no": False}.get((value or "").strip().lower())

    class AvailabilityWidget(widgets.CharWidget):  # type: ignore[misc]  # django-import-export is untyped
        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
            return (value or "").strip().lower().replace(" ", "_")

    class ImageListWidget(widgets.Widget):  # type: ignore[misc]  # django-import-export is untyped
        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
            return [v.strip() for v in (value or "").split(",") if v.strip()]

    class ProductResource(resources.ModelResource):  # type: ignore[misc]  # django-import-export is untyped
        marketplace_product_id = fields.Field(attribute="marketplace_product_id", column_name="id")
        price = fields.Field(attribute="price", column_name="price", widget=PriceWidget())
        sale_price = fields.Field(attribute="sale_price", column_name="sale_price", widget=PriceWidget())
        availability = fields.Field(attribute="availability", column_name="availability", widget=AvailabilityWidget())
        additional_image_links = fields.Field(
            attribute="additional_image_links", column_name="additional_image_link", widget=ImageListWidget()
        )
        identifier_exists = fields.Field(
            attribute="identifier_exists", column_name="identifier_exists", widget=YesNoWidget()
        )
        adult = fields.Field(attribute="adult", column_name="adult", widget=YesNoWidget())
        is_bundle = fields.Field(attribute="is_bundle", column_name="is_bundle", widget=YesNoWidget())
        multipack = fields.Field(attribute="multipack", column_name="multipack", widget=widgets.IntegerWidget())

        class Meta:
            model = MarketplaceProduct
            import_id_fields = ("marketplace_product_id",)
            fields = (
                "marketplace_product_id",
                "price",
                "sale_price",
                "availability",
                "additional_image_links",
                "identifier_exists",
                "adult",
                "is_bundle",
                "multipack",
                *_TEXT_COLUMNS,
            )
            skip_unchanged = True
            report_skipped = False

        def get_queryset(self) -> Any:
            # Scoped by store, like ours; with the marketplace too, so each row's lookup uses the
            # whole unique key (store, marketplace, id) and stays one index probe.
            return MarketplaceProduct.objects.filter(store=store, marketplace="Letzshop")

        def before_save_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
            instance.store = store
            instance.store_name = store.name

    return ProductResource()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--feed", type=Path, required=True)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--store", default="bench-die")
    args = parser.parse_args()
    setup_django()

    import tablib

    from stores.models import Store

    store, _ = Store.objects.get_or_create(code=args.store, defaults={"name": "Bench DIE Store"})
    started = time.perf_counter()
    # Loading the file is part of its import, as it is in the admin's import view.
    with args.feed.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        dataset = tablib.Dataset(*islice(reader, args.rows), headers=header)
    result = build_resource(store).import_data(dataset, dry_run=False, raise_errors=False, use_transactions=True)
    seconds = time.perf_counter() - started
    rows = len(dataset)
    report(
        seconds=round(seconds, 3),
        rows=rows,
        rows_per_s=round(rows / seconds),
        totals=dict(result.totals),
        row_errors=len(result.row_errors()),
        invalid=len(result.invalid_rows),
    )


if __name__ == "__main__":
    main()
