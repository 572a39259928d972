"""Text cells: trimming and control characters, values as messages quote them, lists of links."""

from __future__ import annotations

import re

C0_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_MESSAGE_VALUE_LIMIT = 100


def clean_text(value: str) -> str:
    """Trim, turn CR/CRLF into LF and drop C0 control characters other than tab and LF."""
    value = value.strip()
    if value.isprintable():
        return value
    return clean_unprintable(value)


def clean_unprintable(value: str) -> str:
    # Only reached for values with a newline, a control character or non-printable Unicode.
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if C0_CONTROLS.search(value):
        value = C0_CONTROLS.sub("", value).strip()
    return value


def show(value: str) -> str:
    value = C0_CONTROLS.sub("", value)
    return value if len(value) <= _MESSAGE_VALUE_LIMIT else value[:_MESSAGE_VALUE_LIMIT] + "…"


def is_digits(value: str) -> bool:
    return value.isdigit() and value.isascii()


def split_urls(value: str) -> list[str]:
    """Split a comma separated list of links, keeping commas that belong to a link (e.g. "w_100,h_100")."""
    if "," not in value:
        return [value] if value else []
    parts = [part.strip() for part in value.split(",")]
    urls: list[str] = []
    starts_like_url = any(part.lower().startswith(("http://", "https://")) for part in parts)
    for part in parts:
        if not part:
            continue
        if starts_like_url and urls and not part.lower().startswith(("http://", "https://", "//")):
            urls[-1] = f"{urls[-1]},{part}"
        else:
            urls.append(part)
    return urls
