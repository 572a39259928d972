"""HTML in text cells (normalizers/markup.py) and values a header says how to read (reshaping.py)."""

from __future__ import annotations

import pytest

from marketplace.importing.normalizers.markup import decode_entities, has_markup, html_to_text, strip_tags
from marketplace.importing.normalizers.reshaping import reorder_shipping, shipping_groups, split_images


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("GORE-TEX&reg;", "GORE-TEX®"),
        ("a&nbsp;b", "a b"),
        ("ok &#10003; &#x2713;", "ok ✓ ✓"),
        ("Salt & Pepper", "Salt & Pepper"),
        ("Bread&paradise", "Bread&paradise"),  # html.unescape would make it "Bread¶dise"
        ("&amp;lt;", "&lt;"),  # decoded once
    ],
)
def test_character_references_ending_with_a_semicolon_are_decoded(value, expected):
    assert decode_entities(value) == expected


def test_a_title_loses_its_tags():
    assert strip_tags("<h1>Veste <b>GORE-TEX&reg;</b></h1>\n<br>homme") == "Veste GORE-TEX® homme"
    assert strip_tags("Taille < 10 cm") == "Taille < 10 cm"


def test_a_description_keeps_one_line_per_block_and_drops_scripts_and_styles():
    value = (
        "<div><p>Chaude\n et   légère</p><ul><li>Laine</li><li>Coton&nbsp;bio</li></ul></div>"
        '<script type="text/javascript">track("x")</script><style>.a{}</style>Fin<br>ici'
    )
    assert html_to_text(value) == "Chaude et légère\nLaine\nCoton bio\nFin\nici"


def test_only_tags_and_references_count_as_markup():
    assert has_markup("<p>x</p>") and has_markup("x&amp;y")
    assert not has_markup("R&D, 3 < 5, Salt & Pepper")


def test_shipping_groups_keep_a_decimal_comma():
    assert shipping_groups("LU::Standard:4,95 EUR,BE::Express:9.90 EUR") == [
        "LU::Standard:4,95 EUR",
        "BE::Express:9.90 EUR",
    ]


def test_shipping_parts_go_where_google_reads_them():
    assert reorder_shipping("LU:Express:4.95 EUR", ("country", "service", "price")) == ("LU::Express:4.95 EUR", [])
    assert reorder_shipping("FR:IDF:8.00 EUR", ("country", "region", "price")) == ("FR:IDF::8.00 EUR", [])
    assert reorder_shipping("LU:4.95 EUR", ("country", "service", "price")) == ("LU:4.95 EUR", ["LU:4.95 EUR"])


def test_a_list_of_all_images_gives_the_main_image_and_the_others():
    assert split_images("https://a.jpg, https://b.jpg,https://a.jpg", "", []) == (
        "https://a.jpg",
        ["https://b.jpg"],
        0,
    )
    # The row's own main image stays; the list only adds the others.
    assert split_images("https://a.jpg,https://b.jpg", "https://main.jpg", ["https://b.jpg"]) == (
        "https://main.jpg",
        ["https://b.jpg", "https://a.jpg"],
        0,
    )
    many = ",".join(f"https://i/{n}.jpg" for n in range(25))
    image, others, dropped = split_images(many, "", [])
    assert (image, len(others), dropped) == ("https://i/0.jpg", 20, 4)
