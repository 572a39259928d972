"""The closed vocabularies: availability, condition and yes/no, in Google's words, schema.org's,
French and German.

The `exact_*` lookups are the hot path's: one dict lookup for a value spelled exactly as a
table has it (Google's own values, "yes", "Yes", "YES"), None for anything that needs the
folding of the `parse_*` functions, which they stand in for.
"""

from __future__ import annotations

from marketplace.importing.mapping import match_keys
from marketplace.importing.messages import ValueProblem
from marketplace.importing.normalizers.text import show


def _word_keys(value: str) -> tuple[str, ...]:
    """Loose keys for a word: lower case, accents dropped ("ü" -> "u" and "ue"), punctuation -> "_"."""
    text = value.strip()
    lowered = text.lower()
    if "schema.org" in lowered or lowered.startswith("schema:"):
        text = text.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    return tuple(match_keys(text))  # the same folding as header matching


def _word_table(groups: dict[str, tuple[str, ...]]) -> dict[str, str]:
    table: dict[str, str] = {}
    for canonical, words in groups.items():
        for word in (canonical, *words):
            for key in (word, word.lower(), *_word_keys(word)):
                if table.setdefault(key, canonical) != canonical:
                    raise RuntimeError(f"{word!r} means both {table[key]} and {canonical}")
    return table


_AVAILABILITY = _word_table(
    {
        "in_stock": (
            "in stock",
            "instock",
            "available",
            "available for order",
            "limitedavailability",
            "onlineonly",
            "instoreonly",
            "en stock",
            "disponible",
            "en stock fournisseur",
            "stock limité",
            "auf Lager",
            "lieferbar",
            "sofort lieferbar",
            "verfügbar",
            "vorrätig",
            "an Lager",
            "1",  # WooCommerce's "In stock?" column
        ),
        "out_of_stock": (
            "out of stock",
            "outofstock",
            "sold out",
            "soldout",
            "discontinued",
            "unavailable",
            "not available",
            "en rupture de stock",
            "rupture de stock",
            "rupture",
            "épuisé",
            "indisponible",
            "non disponible",
            "nicht auf Lager",
            "ausverkauft",
            "nicht verfügbar",
            "nicht lieferbar",
            "vergriffen",
            "nicht vorrätig",
            "0",
        ),
        "preorder": (
            "pre order",
            "pre-order",
            "presale",
            "précommande",
            "pré-commande",
            "en précommande",
            "vorbestellen",
            "vorbestellbar",
            "vorbestellung",
            "vorverkauf",
        ),
        "backorder": (
            "back order",
            "back-order",
            "backordered",
            "madetoorder",
            "sur commande",
            "disponible sur commande",
            "en réapprovisionnement",
            "nachbestellt",
            "nachbestellbar",
            "Lieferrückstand",
            "im Zulauf",
            "bestellt",
        ),
    }
)
_CONDITION = _word_table(
    {
        "new": ("newcondition", "brand new", "neuf", "neuve", "nouveau", "neu", "neuware"),
        "refurbished": (
            "refurbishedcondition",
            "renewed",
            "reconditionné",
            "reconditionnée",
            "remis à neuf",
            "generalüberholt",
            "überholt",
            "wiederaufbereitet",
            "aufbereitet",
        ),
        "used": (
            "usedcondition",
            "damagedcondition",
            "second hand",
            "pre-owned",
            "occasion",
            "d'occasion",
            "usagé",
            "gebraucht",
            "secondhand",
        ),
    }
)
_GENDER = _word_table(
    {
        "male": ("men", "man", "mens", "men's", "homme", "hommes", "herren", "herr", "männer", "mann", "masculin"),
        "female": ("women", "woman", "womens", "women's", "femme", "femmes", "damen", "dame", "frauen", "féminin"),
        "unisex": ("mixte", "unisexe", "both"),
    }
)
_AGE_GROUP = _word_table(
    {
        "newborn": ("nouveau-né", "nouveau né", "neugeborene", "neugeborenes"),
        "infant": ("baby", "babies", "bébé", "bébés", "säugling", "säuglinge"),
        "toddler": ("toddlers", "kleinkind", "kleinkinder", "bambin"),
        "kids": ("kid", "child", "children", "enfant", "enfants", "kinder", "kind"),
        "adult": ("adults", "adulte", "adultes", "erwachsene", "erwachsener"),
    }
)
_BOOLEANS = {
    **dict.fromkeys(("yes", "y", "true", "t", "1", "oui", "vrai", "ja", "wahr", "x"), True),
    **dict.fromkeys(("no", "n", "false", "f", "0", "non", "faux", "nein", "falsch"), False),
}
# The spellings seen as is, so the hot path needs no strip() or lower().
_BOOLEANS_RAW = (
    _BOOLEANS
    | {word.capitalize(): v for word, v in _BOOLEANS.items()}
    | {word.upper(): v for word, v in _BOOLEANS.items()}
)


def _lookup_word(table: dict[str, str], value: str) -> str | None:
    found = table.get(value)
    if found is None:
        found = table.get(value.strip().lower())
    if found is None:
        found = next((table[key] for key in _word_keys(value) if key in table), None)
    return found


def parse_availability(value: str) -> str:
    """Map Google, schema.org, French and German availability words onto in_stock, out_of_stock,
    preorder or backorder ("" for a blank value); raise ValueError for anything else."""
    if not value.strip():
        return ""
    found = _lookup_word(_AVAILABILITY, value)
    if found is None:
        shown = show(value.strip())
        raise ValueProblem(
            "availability_unknown",
            f'"{shown}" is not a known availability; use in_stock, out_of_stock, preorder or backorder.',
            value=shown,
        )
    return found


def parse_condition(value: str) -> str:
    """Map condition words onto new, refurbished or used ("" for a blank value); raise ValueError otherwise."""
    if not value.strip():
        return ""
    found = _lookup_word(_CONDITION, value)
    if found is None:
        shown = show(value.strip())
        raise ValueProblem(
            "condition_unknown", f'"{shown}" is not a known condition; use new, refurbished or used.', value=shown
        )
    return found


def parse_gender(value: str) -> tuple[str, bool]:
    """Google's gender for `value` and whether it was a word other than Google's own ("homme"
    -> ("male", True)); raise ValueError for a value that means none of them."""
    return _google_value(_GENDER, value, "gender_unknown", "a gender", "male, female or unisex")


def parse_age_group(value: str) -> tuple[str, bool]:
    """Like `parse_gender`, for newborn, infant, toddler, kids and adult ("adults" -> adult)."""
    return _google_value(
        _AGE_GROUP, value, "age_group_unknown", "an age group", "newborn, infant, toddler, kids or adult"
    )


def _google_value(table: dict[str, str], value: str, key: str, what: str, choices: str) -> tuple[str, bool]:
    found = _lookup_word(table, value)
    if found is None:
        shown = show(value.strip())
        raise ValueProblem(key, f'"{shown}" is not {what} Google knows; use {choices}.', value=shown)
    return found, found != value.strip().lower()


def parse_bool(value: str) -> bool:
    """yes/no, true/false, 1/0, oui/non, ja/nein in any case; raise ValueError otherwise (blank too)."""
    found = _BOOLEANS.get(value.strip().lower())
    if found is None:
        shown = show(value.strip())
        raise ValueProblem("bool_unknown", f'"{shown}" is not yes or no.', value=shown)
    return found


exact_availability = _AVAILABILITY.get
exact_condition = _CONDITION.get
# Only Google's own spellings: anything else is read (and reported) by parse_gender / parse_age_group.
exact_gender = {v: v for v in ("male", "female", "unisex")}.get
exact_age_group = {v: v for v in ("newborn", "infant", "toddler", "kids", "adult")}.get
exact_bool = _BOOLEANS_RAW.get
