"""A chart of the cohort's credited hours that reads at a glance, as server-rendered SVG.

For each credential, six horizontal bars count the learners at each stage toward its hours (none yet,
1-24 %, 25-49 %, 50-74 %, 75-99 %, target met). Every bar carries its number and share as text, the
"target met" bar also a check mark and a darker colour (so colour never carries meaning alone); the
SVG is named by its ``<title>`` and described by a ``<desc>`` that says the same in words, and
:func:`distribution` feeds the data table the page shows beside it.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from html import escape

from xblocks.dashboard.render import _

BUCKETS = (_("None yet"), _("1–24 %"), _("25–49 %"), _("50–74 %"), _("75–99 %"), _("Target met"))
WIDTH, LABEL_W, BAR_W, BAR_H, GAP, HEAD_H = 640, 150, 360, 18, 6, 30
BAR_COLOUR, MET_COLOUR, TEXT_COLOUR, AXIS_COLOUR = "#1f4e79", "#1b5e20", "#1a1a1a", "#595959"


@dataclass(frozen=True)
class Group:
    title: str  # the credential's title
    target: Decimal
    counts: tuple[int, ...]  # learners per bucket, in BUCKETS order

    @property
    def total(self) -> int:
        return sum(self.counts)


def bucket_of(hours: Decimal, target: Decimal) -> int:
    if target <= 0 or hours >= target:
        return 5
    if hours <= 0:
        return 0
    return 1 + min(3, int(hours * 4 / target))


def distribution(title: str, target: Decimal, hours: list[Decimal]) -> Group:
    counts = [0] * len(BUCKETS)
    for h in hours:
        counts[bucket_of(h, target)] += 1
    return Group(title, target, tuple(counts))


def _share(count: int, total: int) -> str:
    return f"{round(100 * count / total)} %" if total else "0 %"


def describe(groups: list[Group], gettext, hours_text) -> str:
    """The chart in words (its ``<desc>``)."""
    parts = []
    for g in groups:
        stages = ", ".join(f"{gettext(label)}: {count}" for label, count in zip(BUCKETS, g.counts, strict=True))
        parts.append(gettext("%(title)s (target %(target)s h): %(stages)s.")
                     % {"title": g.title, "target": hours_text(g.target), "stages": stages})
    return " ".join(parts)


def render_svg(groups: list[Group], *, chart_id: str, title: str, gettext, hours_text) -> str:
    """The SVG (an ``<svg>`` element usable inline or as a file)."""
    rows = []
    y = 0
    for gi, g in enumerate(groups):
        y += HEAD_H
        target = gettext("target %(target)s h") % {"target": hours_text(g.target)}
        rows.append(f'<text x="0" y="{y - 10}" class="cg-chart-head" font-weight="bold">{escape(g.title)} — '
                    f'{escape(target)}</text>')
        for bi, (label, count) in enumerate(zip(BUCKETS, g.counts, strict=True)):
            met = bi == len(BUCKETS) - 1
            length = round(BAR_W * count / g.total, 1) if g.total else 0
            name = ("✓ " if met else "") + gettext(label)
            rows.append(
                f'<g id="{chart_id}-g{gi}-b{bi}">'
                f'<text x="{LABEL_W - 8}" y="{y + BAR_H - 5}" text-anchor="end">{escape(name)}</text>'
                f'<rect x="{LABEL_W}" y="{y}" width="{length}" height="{BAR_H}" '
                f'fill="{MET_COLOUR if met else BAR_COLOUR}"/>'
                f'<text x="{LABEL_W + length + 6}" y="{y + BAR_H - 5}">{count} ({_share(count, g.total)})</text></g>')
            y += BAR_H + GAP
        rows.append(f'<line x1="{LABEL_W}" x2="{LABEL_W}" y1="{y - len(BUCKETS) * (BAR_H + GAP)}" '
                    f'y2="{y - GAP}" stroke="{AXIS_COLOUR}" stroke-width="1"/>')
        y += GAP
    height = max(y, HEAD_H)
    desc = describe(groups, gettext, hours_text) or gettext("No learners yet.")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {WIDTH} {height}" '
            f'width="100%" preserveAspectRatio="xMinYMin meet" class="cg-chart" '
            f'aria-labelledby="{chart_id}-title" aria-describedby="{chart_id}-desc" '
            f'font-family="system-ui, sans-serif" font-size="13" fill="{TEXT_COLOUR}">'
            f'<title id="{chart_id}-title">{escape(title)}</title>'
            f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
            + "".join(rows) + "</svg>")


def table_rows(groups: list[Group], gettext) -> list[dict]:
    """The chart's data for its fallback table: one row per credential, one cell per stage."""
    return [{"title": g.title, "target": g.target,
             "cells": [{"count": c, "share": _share(c, g.total)} for c in g.counts]} for g in groups]


def bucket_labels(gettext) -> list[str]:
    return [gettext(label) for label in BUCKETS]
