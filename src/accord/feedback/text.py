"""Text normalisation shared by every classifier, so training and prediction see the same."""

from __future__ import annotations

import html
import re

_MENTION = re.compile(r"@\w+")
_URL = re.compile(r"https?://\S+")
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Unescape HTML entities, fold handles and links, collapse whitespace.

    Handles and links carry no topic or sentiment but are rare tokens that a linear model
    would otherwise memorise (every airline tweet starts with the airline's handle).

    >>> normalise("@united thanks &amp; bye http://t.co/x  ")
    '@user thanks & bye http'
    """
    text = html.unescape(text)
    text = _URL.sub("http", text)
    text = _MENTION.sub("@user", text)
    return _SPACE.sub(" ", text).strip()


def is_text(value: str) -> bool:
    """Whether a value holds any letter: empty, numeric or symbol-only rows are not text.

    >>> is_text("lost my card"), is_text("  "), is_text("12.50"), is_text("?!")
    (True, False, False, False)
    """
    return any(ch.isalpha() for ch in value)
