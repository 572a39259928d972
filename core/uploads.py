"""An upload past the feed size cap is refused while it streams (SPEC 9).

Django's own handlers write every byte of a file to memory or a temporary file before any
view can look at its size, so a 600 MiB upload over a 512 MiB cap used 600 MiB of disk
before it was refused. This handler, first in FILE_UPLOAD_HANDLERS, counts each file's
bytes and, past the cap, stops passing chunks on to the handlers behind it: disk use never
exceeds the cap. The view then receives a placeholder that keeps only the real size, and
the import service refuses it with its usual message ("larger than the ... MB limit").
"""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler


class CappedUploadHandler(FileUploadHandler):
    def new_file(
        self,
        field_name: str,
        file_name: str,
        content_type: str,
        content_length: int | None,
        charset: str | None = None,
        content_type_extra: dict[str, Any] | None = None,
    ) -> None:
        super().new_file(field_name, file_name, content_type, content_length, charset, content_type_extra)
        self.received = 0
        self.over_cap = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > settings.MARKETPLACE_MAX_DOWNLOAD_BYTES:
            self.over_cap = True
        # None: the handlers behind this one (memory, temporary file) never see the chunk.
        return None if self.over_cap else raw_data

    def file_complete(self, file_size: int) -> InMemoryUploadedFile | None:
        if not self.over_cap:
            return None  # the next handler's file is the upload
        return InMemoryUploadedFile(
            io.BytesIO(b""),
            self.field_name,
            self.file_name,
            self.content_type,
            self.received,
            self.charset,
            self.content_type_extra,
        )
