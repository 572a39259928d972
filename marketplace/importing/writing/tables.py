"""The tables and columns a batch writes, quoted for the connection, and the parts of the
batch's read query that both databases share.

Every name comes from the models' `_meta`, so a renamed field or table cannot leave a
statement behind.
"""

from __future__ import annotations

from typing import Any, cast

from django.db import connection
from django.db.models import Field

from marketplace.importing.row_values import HASHED_FIELDS, PRODUCT_FIELDS, RECORD_FIELDS, TEXT_FIELDS
from marketplace.models import (
    FeedMembership,
    MarketplaceImportError,
    MarketplaceImportJob,
    MarketplaceProduct,
    MarketplaceProductTranslation,
)

PRODUCT = MarketplaceProduct._meta
TRANSLATION = MarketplaceProductTranslation._meta
ERROR = MarketplaceImportError._meta
MEMBERSHIP = FeedMembership._meta


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def column(meta: Any, name: str) -> str:
    return quote(meta.get_field(name).column)


class Tables:
    """Quoted names for one job's writes, and the shared SQL of its batch read."""

    def __init__(self, job: MarketplaceImportJob) -> None:
        store = job.store
        self.language = job.language
        self.products = quote(PRODUCT.db_table)
        self.translations = quote(TRANSLATION.db_table)
        self.errors = quote(ERROR.db_table)
        p = {
            name: column(PRODUCT, name)
            for name in (
                *PRODUCT_FIELDS,
                "id",
                "store",
                "marketplace",
                "store_name",
                "content_hash",
                "last_import_job",
                "created_at",
                "updated_at",
            )
        }
        t = {
            name: column(TRANSLATION, name)
            for name in (
                "id",
                "product",
                "language",
                "source_hash",
                "had_warnings",
                "created_at",
                "updated_at",
                *TEXT_FIELDS,
            )
        }
        self.p, self.t = p, t
        self.error_columns = [
            column(ERROR, name)
            for name in (
                "import_job",
                "row_number",
                "identifier",
                "error_type",
                "severity",
                "field",
                "error_message",
                "message_key",
                "params",
                "row_data",
                "raw_cells",
                "created_at",
            )
        ]
        self.stage = quote("import_stage")
        self.seen = quote("import_seen_ids")
        owns_default = job.language == store.default_language
        # The product's texts follow the store's default language when that translation
        # exists, otherwise the first language imported (the oldest translation).
        owns_sql = (
            "TRUE"
            if owns_default
            else (
                f"(NOT EXISTS (SELECT 1 FROM {self.translations} d WHERE d.{t['product']} = p.{p['id']}"
                f" AND d.{t['language']} = %s)"
                f" AND COALESCE((SELECT f.{t['language']} FROM {self.translations} f"
                f" WHERE f.{t['product']} = p.{p['id']} ORDER BY f.{t['id']} LIMIT 1), %s) = %s)"
            )
        )
        self.owns_params: list[Any] = [] if owns_default else [store.default_language, job.language, job.language]
        fresh = (
            f"(tr.{t['source_hash']} = b.sh AND NOT tr.{t['had_warnings']}"
            f" AND p.{p['updated_at']} <= tr.{t['updated_at']})"
        )
        texts = ", ".join(f"CASE WHEN {fresh} THEN NULL ELSE tr.{t[name]} END" for name in TEXT_FIELDS)
        same_warned = f"COALESCE(tr.{t['source_hash']} = b.sh AND tr.{t['had_warnings']}, FALSE)"
        # What the read returns for each id of the batch, in `Existing`'s order.
        self.existing_columns = (
            f"p.{p['id']}, p.{p['content_hash']}, p.{p['last_import_job']}, tr.{t['id']},"
            f" COALESCE({fresh}, FALSE), {same_warned}, {owns_sql}, {texts}"
        )
        self.translation_join = (
            f"LEFT JOIN {self.translations} tr ON tr.{t['product']} = p.{p['id']} AND tr.{t['language']} = %s"
        )
        self.product_key = (
            f"p.{p['store']} = %s AND p.{p['marketplace']} = %s AND p.{p['marketplace_product_id']} = b.mpid"
        )
        # A new product's columns, then its translation's, in the order the writers send them.
        self.product_columns = [
            p["store"],
            p["marketplace"],
            p["store_name"],
            p["created_at"],
            p["updated_at"],
            p["last_import_job"],
            *(p[name] for name in PRODUCT_FIELDS),
            p["content_hash"],
        ]
        self.translation_columns = [
            t["created_at"],
            t["updated_at"],
            t["product"],
            t["language"],
            *(t[name] for name in TEXT_FIELDS),
            t["source_hash"],
            t["had_warnings"],
        ]
        self.membership = quote(MEMBERSHIP.db_table)
        self.membership_columns = [column(MEMBERSHIP, "import_job"), column(MEMBERSHIP, "product")]
        self.record_types = {
            name: cast("Field[Any, Any]", (PRODUCT if name in HASHED_FIELDS else TRANSLATION).get_field(name)).db_type(
                connection
            )
            for name in RECORD_FIELDS
        }
