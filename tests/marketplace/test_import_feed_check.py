"""`manage.py import_feed --check`: a check of a feed in the foreground (issue 18)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from marketplace.models import MarketplaceImportJob, MarketplaceProduct, MarketplaceProductTranslation

pytestmark = pytest.mark.django_db
FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"


def _command(*args: str) -> str:
    out = io.StringIO()
    call_command("import_feed", *args, stdout=out)
    return out.getvalue()


def test_check_prints_the_encoding_delimiter_mapping_and_would_be_counts_and_writes_nothing(store):
    output = _command("--store", store.code, "--file", str(FEEDS / "cp1252_semicolon.csv"), "--check")

    job = MarketplaceImportJob.objects.get(store=store)
    assert job.dry_run is True
    assert f"Check job {job.pk}: {store.code} (fr)" in output
    assert "cp1252 / ';'" in output
    assert "Would add (new)" in output and "Would change" in output
    counts = {line.rsplit(None, 1)[0].strip(): line.rsplit(None, 1)[1] for line in output.splitlines() if "  " in line}
    assert counts["Would add (new)"] == "3"
    assert counts["Rows skipped (errors)"] == "2"
    assert "Column mapping:" in output
    assert "-> marketplace_product_id" in output and "-> price" in output
    assert "parse_error" in output
    assert "nothing was written" in output
    assert not MarketplaceProduct.objects.exists()
    assert not MarketplaceProductTranslation.objects.exists()


def test_check_names_an_unmapped_column_with_a_suggestion(store, tmp_path):
    path = tmp_path / "feed.csv"
    path.write_text("id,title,avaliability\nA1,Shirt,in stock\n", encoding="utf-8")

    output = _command("--store", store.code, "--file", str(path), "--check")

    assert "avaliability" in output
    assert "did you mean availability?" in output
    assert "Not in this file" in output


def test_a_failed_check_says_so_and_exits_with_an_error(store):
    with pytest.raises(CommandError, match="Check job .* failed"):
        _command("--store", store.code, "--file", str(FEEDS / "no_title_column.csv"), "--check")
    assert MarketplaceImportJob.objects.get(store=store).dry_run is True


def test_without_check_it_imports(store):
    output = _command("--store", store.code, "--file", str(FEEDS / "latin1.csv"))

    assert "Imported (new)" in output and "Column mapping" not in output
    assert MarketplaceProduct.objects.filter(store=store).count() == 2
