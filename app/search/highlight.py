"""Highlighted fragments: backends mark matches with private sentinels; this turns them into
HTML-safe text with <mark> tags, so a report's own characters can never inject markup."""

from __future__ import annotations

import html

START, STOP = "\ue000", "\ue001"


def to_html(fragment: str) -> str:
    text = " ".join(fragment.split())
    return html.escape(text, quote=False).replace(START, "<mark>").replace(STOP, "</mark>")
