"""Badge images: a PNG (Pillow) and an accessible SVG (title and description) per credential definition."""
from __future__ import annotations

import io
import textwrap
from functools import lru_cache
from pathlib import Path
from string import Template
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw, ImageFont

from sync.issuer.documents import hours as as_hours
from sync.issuer.profile import issuer

ASSETS = Path(__file__).resolve().parent.parent / "assets"
SIZE = 400
# Dark fills with white text: contrast above 7:1 (WCAG AAA) for every tier.
COLORS = {"badge": "#1d3a5f", "certificate-of-training": "#1f5e3a", "college-certificate": "#6b1d3a"}
TIER_NAMES = {"badge": "BADGE", "certificate-of-training": "CERTIFICATE OF TRAINING",
              "college-certificate": "COLLEGE CERTIFICATE"}


def _lines(title: str) -> list[str]:
    return textwrap.wrap(title, width=18)[:4] or [title[:18]]


def _hours_text(credential) -> str:
    value = as_hours(credential.total_hours)
    return f"{value:g} HOURS" if value != 1 else "1 HOUR"


def alt_text(credential) -> str:
    tier = credential.tier.replace("-", " ")
    return f"{credential.title}: {tier}, {_hours_text(credential).lower()}, {issuer().name}"


@lru_cache(maxsize=64)
def _png_cached(credential_id: str, title: str, tier: str, hours_text: str, issuer_name: str) -> bytes:
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    color = COLORS.get(tier, "#1d3a5f")
    draw.ellipse((4, 4, SIZE - 4, SIZE - 4), fill=color)
    draw.ellipse((22, 22, SIZE - 22, SIZE - 22), outline="#ffffff", width=6)

    def centred(y: int, text: str, size: int) -> None:
        font = ImageFont.load_default(size=size)
        draw.text((SIZE / 2, y), text, fill="#ffffff", font=font, anchor="ms")

    centred(118, TIER_NAMES.get(tier, tier.upper())[:24], 20)
    lines = _lines(title)
    top = 200 - (len(lines) - 1) * 17
    for i, line in enumerate(lines):
        centred(top + i * 34 + 10, line, 28)
    centred(318, hours_text, 24)
    centred(348, issuer_name[:28], 17)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def png(credential) -> bytes:
    return _png_cached(credential.id, credential.title, credential.tier, _hours_text(credential), issuer().name)


def svg(credential) -> str:
    lines = _lines(credential.title)
    top = 200 - (len(lines) - 1) * 17
    text = "\n".join(f'<text x="200" y="{top + i * 34 + 10}" font-size="28">{escape(line)}</text>'
                     for i, line in enumerate(lines))
    template = Template((ASSETS / "badge.svg").read_text(encoding="utf-8"))
    return template.substitute(
        title=escape(credential.title), description=escape(alt_text(credential)),
        color=COLORS.get(credential.tier, "#1d3a5f"), tier=escape(TIER_NAMES.get(credential.tier, credential.tier)),
        lines=text, hours=escape(_hours_text(credential)), issuer=escape(issuer().name))
