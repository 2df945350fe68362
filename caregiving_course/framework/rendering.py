"""Markdown from authors and text from learners, turned into HTML that is safe to show."""
from __future__ import annotations

import markdown as md
import nh3

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "blockquote", "code", "pre",
    "h3", "h4", "h5", "table", "thead", "tbody", "tr", "th", "td", "a", "hr", "abbr", "dl", "dt", "dd",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}


def render_markdown(text: str) -> str:
    """Render authored Markdown to sanitised HTML (no scripts, styles, handlers or raw iframes)."""
    html = md.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    return sanitise_html(html)


def sanitise_html(html: str) -> str:
    """Keep only a small set of formatting tags; links get rel=noopener and safe schemes only."""
    return nh3.clean(
        html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer",
    )
