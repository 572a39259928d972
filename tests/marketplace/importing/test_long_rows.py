"""A row past the decoder's bound is one `row_too_long` error, and memory stays bounded
whatever one line of the file holds (SPEC 9, bounded resources)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from marketplace.importing.decoding import ROW_SIZE_LIMIT
from marketplace.models import MarketplaceImportJob, MarketplaceProduct
from tests.marketplace.importing.conftest import HEADER, import_file, product_row, write_feed
from tests.worker import ROOT, worker_env

Status = MarketplaceImportJob.Status
_PEAK_RSS_LIMIT_MB = 200


@pytest.mark.django_db
@pytest.mark.parametrize("reader_process", [True, False])
def test_a_row_past_the_bound_is_a_row_error_and_the_rest_imports(store, tmp_path, settings, reader_process):
    settings.MARKETPLACE_IMPORT_READER_PROCESS = reader_process
    rows = [product_row(1), product_row(2, description="x" * (2 * ROW_SIZE_LIMIT)), product_row(3)]
    job = import_file(store, write_feed(tmp_path / "feed.csv", rows))

    assert job.status == Status.COMPLETED_WITH_ERRORS
    assert (job.imported_count, job.error_count, job.total_processed) == (2, 1, 3)
    error = job.errors.get()
    assert (error.row_number, error.error_type, error.severity) == (3, "row_too_long", "error")
    assert f"{ROW_SIZE_LIMIT:,} characters" in error.error_message
    assert sorted(MarketplaceProduct.objects.values_list("marketplace_product_id", flat=True)) == [
        "SKU-0001",
        "SKU-0003",
    ]


# The peak of every process of the import (the command and its forked reader) as the kernel
# counted it, measured in a fresh parent so that no earlier child of pytest's counts.
_MEASURE = (
    "import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024); sys.exit(code)"
)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("quoted", [False, True])
def test_a_line_of_hundreds_of_megabytes_keeps_the_import_under_200_mb(store, tmp_path, quoted):
    path = tmp_path / "one-long-line.csv"
    with path.open("wb") as out:
        out.write((",".join(HEADER) + "\n").encode())
        out.write(b"SKU-1,Shirt,Fine,https://shop.example.lu/1,9.99 EUR,in stock,,Brand\n")
        out.write(b'SKU-2,Long,"' if quoted else b"SKU-2,Long,")
        chunk = b"y" * (1024 * 1024)
        for _ in range(256):  # 256 MiB on one line: it cost 3.2 times its size before the bound
            out.write(chunk)
        out.write(b'",https://shop.example.lu/2,9.99 EUR,in stock,,Brand\n' if quoted else b"\n")
        out.write(b"SKU-3,Cap,Fine,https://shop.example.lu/3,5.00 EUR,in stock,,Brand\n")

    result = subprocess.run(
        [
            sys.executable,
            "-c",
            _MEASURE,
            sys.executable,
            "manage.py",
            "import_feed",
            "--store",
            store.code,
            "--file",
            str(path),
        ],
        cwd=ROOT,
        env=worker_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stderr
    peak_mb = int(result.stdout.strip().splitlines()[-1])
    assert peak_mb < _PEAK_RSS_LIMIT_MB, f"peak RSS {peak_mb} MB"
    job = MarketplaceImportJob.objects.get(store=store)
    assert (job.imported_count, job.error_count) == (2, 1)
    assert job.errors.get().error_type == "row_too_long"
