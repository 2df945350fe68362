"""Static accessibility checks of the blocks' markup and colours (the browser tests run axe-core on top)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import xblocks

CSS = (Path(xblocks.__file__).resolve().parent / "public" / "caregiving.css").read_text()

WHITE = "#ffffff"
# (foreground, background) pairs the stylesheet puts text in.
TEXT_PAIRS = [
    ("#1b1b1b", "#ffffff"), ("#4a4a4a", "#ffffff"), ("#3d4b5c", "#f3f6fa"), ("#1e6b34", "#ffffff"),
    ("#14532d", "#e7f5ec"), ("#7f1d1d", "#fdecec"), ("#ffffff", "#0b4f8a"), ("#ffffff", "#083a66"),
    ("#0b4f8a", "#ffffff"), ("#2f3b48", "#eef1f5"), ("#1b1b1b", "#fff4d6"),
]


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(fg: str, bg: str) -> float:
    a, b = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


@pytest.mark.parametrize("fg, bg", TEXT_PAIRS)
def test_text_colours_meet_aa_contrast(fg, bg):
    assert all(colour in CSS for colour in (fg, bg) if colour != WHITE)  # white: the page behind the blocks
    assert contrast(fg, bg) >= 4.5


def test_focus_is_always_visible_and_targets_are_large():
    assert ":focus-visible { outline: 3px solid" in CSS
    assert contrast("#b45309", "#ffffff") >= 3  # non-text contrast of the focus ring
    assert "min-height: 44px" in CSS
    assert "@media (max-width: 480px)" in CSS


@pytest.mark.django_db
def test_every_input_has_a_label_and_questions_are_fieldsets(block_client, learner_user):
    html = block_client(learner_user).render()
    ids = re.findall(r'<(?:input|textarea)[^>]* id="([^"]+)"', html)
    assert ids
    for element_id in ids:
        assert f'for="{element_id}"' in html
    assert html.count("<fieldset") == html.count("<legend>") == 5
    assert 'aria-live="polite"' in html


@pytest.mark.django_db
def test_module_page_has_one_h1_and_lang(client, learner_user):
    client.force_login(learner_user)
    html = client.get("/course/module/alpha/").content.decode()
    assert html.count("<h1") == 1 and '<html lang="en">' in html
