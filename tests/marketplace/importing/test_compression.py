"""The one gzip/deflate decoder behind downloads and uploaded files (no database)."""

from __future__ import annotations

import gzip
import zlib

import pytest

from marketplace.importing.compression import CHUNK_SIZE, Inflater

CSV = b"id,title\n1,Blue mug\n2,Red mug\n"


def inflate(inflater: Inflater, data: bytes, step: int = 7) -> bytes:
    pieces = [piece for i in range(0, len(data), step) for piece in inflater.feed(data[i : i + step])]
    return b"".join(pieces + list(inflater.finish()))


def test_one_step_never_produces_more_than_a_chunk():
    bomb = gzip.compress(b"\x00" * (8 * CHUNK_SIZE))

    pieces = list(Inflater("gzip").feed(bomb))

    assert max(map(len, pieces)) <= CHUNK_SIZE
    assert sum(map(len, pieces)) == 8 * CHUNK_SIZE


@pytest.mark.parametrize("strict", [False, True])
def test_concatenated_members_are_decoded(strict):
    data = gzip.compress(CSV[:10]) + gzip.compress(CSV[10:]) + b"\x00\x00"

    assert inflate(Inflater("gzip", strict=strict), data) == CSV


def test_strict_reads_members_after_zero_padding_like_pythons_gzip_module():
    data = gzip.compress(CSV[:10]) + b"\x00" * 3 + gzip.compress(CSV[10:])

    assert inflate(Inflater("gzip", strict=True), data) == gzip.decompress(data) == CSV


def test_data_after_the_last_member_is_ignored_unless_strict():
    data = gzip.compress(CSV) + b"junk"

    assert inflate(Inflater("gzip"), data) == CSV
    with pytest.raises(zlib.error):
        inflate(Inflater("gzip", strict=True), data)
    with pytest.raises(zlib.error):  # a single stray byte too
        inflate(Inflater("gzip", strict=True), gzip.compress(CSV) + b"\x1f")


@pytest.mark.parametrize("strict", [False, True])
def test_a_truncated_stream_raises(strict):
    with pytest.raises(zlib.error):
        inflate(Inflater("gzip", strict=strict), gzip.compress(CSV)[:-4])


@pytest.mark.parametrize("wbits", [zlib.MAX_WBITS, -zlib.MAX_WBITS], ids=["zlib-wrapped", "raw"])
def test_deflate_is_read_with_or_without_its_zlib_wrapper(wbits):
    packer = zlib.compressobj(wbits=wbits)

    assert inflate(Inflater("deflate"), packer.compress(CSV) + packer.flush()) == CSV


def test_sniff_passes_plain_data_through_and_gunzips_a_gz_body():
    assert inflate(Inflater("sniff"), CSV) == CSV
    assert inflate(Inflater("sniff"), b"x", step=1) == b"x"
    assert inflate(Inflater("sniff"), gzip.compress(CSV)) == CSV
