"""The API's errors stay English whatever the caller's language, with the catalogue's
stable code (SPEC 13, issue 17); the pages render the same rows in their reader's language."""

from __future__ import annotations

import csv
import io

import pytest

from tests.api.conftest import ADMIN_API, STORE_API
from tests.marketplace.importing.conftest import import_file, product_row, write_feed

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(store, tmp_path):
    rows = [product_row(1, price="abc"), product_row(2, gtin="4006381333932"), product_row(2), product_row(3, id="")]
    return import_file(store, write_feed(tmp_path / "feed.csv", rows))


EXPECTED = [
    (2, "parse_error.price", 'Price "abc" is not a number.'),
    (
        3,
        "validation_error.gtin",
        'GTIN "4006381333932" has a wrong check digit: the last digit should be 1. The GTIN was left empty.',
    ),
    (
        4,
        "validation_error.id",
        "The id 'SKU-0002' already appeared in row 3; this row was skipped.",
    ),
    (5, "missing_id", "The id is empty."),
]


@pytest.mark.parametrize("language", ["fr", "de", "en"])
def test_store_api_errors_are_english_with_their_code(api, imported, language):
    body = api.get(f"{STORE_API}/imports/{imported.pk}/errors", HTTP_ACCEPT_LANGUAGE=language).json()
    assert [(e["row_number"], e["code"], e["error_message"]) for e in body["items"]] == EXPECTED


def test_admin_api_errors_are_english_with_their_code(client_for, admin_user, imported):
    body = client_for(admin_user).get(f"{ADMIN_API}/{imported.pk}/errors", HTTP_ACCEPT_LANGUAGE="de").json()
    assert [(e["row_number"], e["code"], e["error_message"]) for e in body["items"]] == EXPECTED


def test_the_api_csvs_stay_english(api, imported):
    response = api.get(
        f"{STORE_API}/imports/{imported.pk}/errors.csv", HTTP_ACCEPT="text/csv", HTTP_ACCEPT_LANGUAGE="fr"
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [(int(row[0]), row[4], row[5]) for row in rows[1:]] == [
        (2, "price", EXPECTED[0][2]),
        (3, "gtin", EXPECTED[1][2]),
        (4, "marketplace_product_id", EXPECTED[2][2]),
        (5, "marketplace_product_id", EXPECTED[3][2]),
    ]
    fix = api.get(
        f"{STORE_API}/imports/{imported.pk}/rows-to-fix.csv", HTTP_ACCEPT="text/csv", HTTP_ACCEPT_LANGUAGE="de"
    )
    problems = [row[-1] for row in csv.reader(io.StringIO(b"".join(fix.streaming_content).decode("utf-8")))]
    assert problems[1:] == [EXPECTED[0][2], EXPECTED[2][2], EXPECTED[3][2]]
