"""On PostgreSQL, one composite foreign key (store_id, marketplace_product_id) ->
marketplace_products (store_id, id) instead of Django's two single-column ones.

Why: publishing 300,000 products spent 58% of each chunk in the two per-row RI triggers
(EXPLAIN (ANALYZE) in `make bench-publish --explain`); one composite check is about as
costly as one of them, and it enforces in the database that a store publishes only its own
marketplace products (the store's id must match the product's). It needs a unique index
on marketplace_products (store_id, id), created here.

Django's model state gets db_constraint=False on both fields (Django cannot describe a
composite foreign key); CASCADE stays emulated by Django, and the database cascades too.
SQLite's table is left as it was, with Django's two constraints: checks are cheap there
(`make bench-publish`: several hundred thousand products/s) and SQLite cannot add a
constraint without rebuilding the table.
"""

import django.db.models.deletion
from django.db import migrations, models

INDEX = "mp_store_id_uniq"
CONSTRAINT = "products_store_mp_fk"


def _single_foreign_keys(cursor):
    cursor.execute(
        """
        SELECT c.conname FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
        WHERE c.conrelid = 'products'::regclass AND c.contype = 'f' AND array_length(c.conkey, 1) = 1
          AND a.attname IN ('store_id', 'marketplace_product_id')
        """
    )
    return [name for (name,) in cursor.fetchall()]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in _single_foreign_keys(cursor):
            cursor.execute(f'ALTER TABLE products DROP CONSTRAINT "{name}"')
        cursor.execute(f"CREATE UNIQUE INDEX IF NOT EXISTS {INDEX} ON marketplace_products (store_id, id)")
        cursor.execute(
            f"ALTER TABLE products ADD CONSTRAINT {CONSTRAINT} FOREIGN KEY (store_id, marketplace_product_id) "
            "REFERENCES marketplace_products (store_id, id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE products DROP CONSTRAINT IF EXISTS {CONSTRAINT}")
        cursor.execute(f"DROP INDEX IF EXISTS {INDEX}")
        cursor.execute(
            "ALTER TABLE products ADD CONSTRAINT products_store_id_fk_stores_id FOREIGN KEY (store_id) "
            "REFERENCES stores (id) DEFERRABLE INITIALLY DEFERRED"
        )
        cursor.execute(
            "ALTER TABLE products ADD CONSTRAINT products_marketplace_product_id_fk FOREIGN KEY "
            "(marketplace_product_id) REFERENCES marketplace_products (id) DEFERRABLE INITIALLY DEFERRED"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_products_drop_redundant_indexes"),
        ("marketplace", "0008_drop_product_localized_columns"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="product",
                    name="store",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="products",
                        to="stores.store",
                    ),
                ),
                migrations.AlterField(
                    model_name="product",
                    name="marketplace_product",
                    field=models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="catalog_products",
                        to="marketplace.marketplaceproduct",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(forwards, backwards)],
        ),
    ]
