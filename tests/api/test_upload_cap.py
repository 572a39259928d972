"""SPEC 9: an upload past the cap is refused while it streams; what reached the disk
never exceeds the cap (the upload's temporary file is inspected after the request)."""

from __future__ import annotations

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler

from marketplace.models import MarketplaceImportJob
from tests.api.conftest import STORE_API

pytestmark = pytest.mark.django_db
CAP = 256 * 1024


@pytest.fixture
def api(client_for, owner, settings):
    settings.MARKETPLACE_MAX_DOWNLOAD_BYTES = CAP
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every upload goes to a temporary file
    return client_for(owner)


def _temporary_file_size(response) -> int:
    handlers = [h for h in response.wsgi_request.upload_handlers if isinstance(h, TemporaryFileUploadHandler)]
    assert handlers and handlers[0].file is not None
    return os.fstat(handlers[0].file.fileno()).st_size


def test_an_upload_over_the_cap_is_refused_and_never_written_past_it(api):
    body = b"id,title\n" + b"".join(b"%d,Product %d\n" % (n, n) for n in range(400_000))  # about 7 MB
    assert len(body) > 20 * CAP
    response = api.post(f"{STORE_API}/import", {"file": SimpleUploadedFile("big.csv", body)}, format="multipart")
    assert response.status_code == 400
    assert "larger than" in response.json()["file"][0]
    assert _temporary_file_size(response) <= CAP
    assert not MarketplaceImportJob.objects.exists()


def test_an_upload_under_the_cap_is_kept_whole(api, settings):
    body = b"id,title\n" + b"".join(b"%d,Product %d\n" % (n, n) for n in range(1000))
    response = api.post(
        f"{STORE_API}/import", {"file": SimpleUploadedFile("ok.csv", body), "language": "fr"}, format="multipart"
    )
    assert response.status_code == 202, response.content
    job = MarketplaceImportJob.objects.get(pk=response.json()["job_id"])
    assert job.status in (MarketplaceImportJob.Status.COMPLETED, MarketplaceImportJob.Status.PENDING)
    assert job.source_filename == "ok.csv"
