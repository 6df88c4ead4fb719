"""Charts drawn on the server as inline SVG: bars for one series over months, lines for several, and rows
(horizontal bars) for categories such as RFM segments.

No script and no style attribute (the pages' CSP allows neither inline): colours come from classes in
``console.css``. In a right-to-left page time runs from right to left, like the text. Every chart is an
``img`` with a title and a description listing its figures, for screen readers.

Labels never overlap: when the widest month name (or figure above a bar) is wider than a month's slot,
only every n-th one is written — always the latest month's — and the description still lists them all.
Categories have no order to thin by, so ``rows`` gives each its own line: every name and every figure.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 720
#: A phone's chart: fewer months in a narrower picture, so the text stays readable at 375 px.
NARROW = 380
#: Room for the highest value before the legend starts.
LEGEND_START = 84
HEIGHT = 260
TOP = 24
BOTTOM = 44
SIDE = 16
#: Font sizes of ``console.css`` (``svg.chart text``, ``text.value``), in SVG units.
AXIS_SIZE = 13
VALUE_SIZE = 12
#: A generous average glyph width, in ems: Latin and Persian digits and letters of the system fonts are
#: narrower, so an estimate never puts two labels closer than they are.
GLYPH_EM = 0.62
#: Space kept between two labels side by side.
GAP = 6.0


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[int]
    #: A class of console.css: s1, s2, s3.
    css: str = "s1"


def _slot_x(index: int, count: int, rtl: bool, width: int) -> float:
    slot = (width - 2 * SIDE) / max(count, 1)
    offset = SIDE + slot * (index + 0.5)
    return width - offset if rtl else offset


def text_width(text: str, size: float) -> float:
    """How wide ``text`` is drawn at most at ``size`` (an estimate on the safe side)."""
    return len(text) * size * GLYPH_EM


def _label_lines(text: str) -> tuple[str, str]:
    name, _, year = text.rpartition(" ")
    return (name, year) if name else (text, "")


def every(texts: Sequence[str], slot: float, size: float) -> int:
    """Write one text in ``every(…)`` slots so that the widest fits with room to spare."""
    widest = max((text_width(t, size) for t in texts), default=0.0)
    return max(1, math.ceil((widest + GAP) / slot)) if slot > 0 else 1


def _shown(index: int, count: int, step: int) -> bool:
    """Whether slot ``index`` of ``count`` gets its text: every ``step``-th, counted back from the latest."""
    return (count - 1 - index) % step == 0


def _month_step(labels: Sequence[str], width: int) -> int:
    slot = (width - 2 * SIDE) / max(len(labels), 1)
    return every([line for label in labels for line in _label_lines(label)], slot, AXIS_SIZE)


def _label(text: str, x: float) -> str:
    """A month label on two lines: the month's name, then its year — two texts with a space between, so
    the page's text (copied, read or searched) says «February 2026», not «February2026»."""
    name, year = _label_lines(text)
    y = HEIGHT - BOTTOM + 16
    label = f'<text class="axis" x="{x:.1f}" y="{y}" text-anchor="middle">{escape(name)}</text>'
    if year:
        label += f' <text class="axis" x="{x:.1f}" y="{y + 14}" text-anchor="middle">{escape(year)}</text>'
    return label


def _svg(title: str, summary: str, body: list[str], width: int, height: int, css: str = "chart") -> Markup:
    return Markup(
        f'<svg class="{css}" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title><desc>{escape(summary)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def _frame(title: str, summary: str, body: list[str], width: int) -> Markup:
    base = (
        f'<line class="base" x1="{SIDE}" x2="{width - SIDE}" y1="{HEIGHT - BOTTOM}" y2="{HEIGHT - BOTTOM}"/>'
    )
    return _svg(title, summary, [base, *body], width, HEIGHT)


def _summary(labels: Sequence[str], series: Sequence[Series], show: Callable[[int], str]) -> str:
    return "; ".join(
        f"{s.name}: " + ", ".join(f"{label} {show(v)}" for label, v in zip(labels, s.values, strict=True))
        for s in series
    )


def bars(
    title: str,
    labels: Sequence[str],
    values: Sequence[int],
    show: Callable[[int], str],
    rtl: bool,
    width: int = WIDTH,
) -> Markup:
    """One bar per label, its value written above it with ``show``; ``width`` in SVG units."""
    top = max([*values, 1])
    plot = HEIGHT - BOTTOM - TOP
    slot = (width - 2 * SIDE) / max(len(labels), 1)
    bar = min(slot * 0.6, 56)
    label_step = _month_step(labels, width)
    value_step = every([show(v) for v in values if v], slot, VALUE_SIZE)
    body = []
    count = len(labels)
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = _slot_x(index, len(labels), rtl, width)
        h = plot * max(value, 0) / top
        y = HEIGHT - BOTTOM - h
        body.append(
            f'<rect class="bar s1" x="{x - bar / 2:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}"/>'
        )
        if value and _shown(index, count, value_step):
            figure = show(value)
            # Centred over its bar, but never past the picture's edge (the first or last bar's figure).
            half = text_width(figure, VALUE_SIZE) / 2
            at = min(max(x, half), width - half)
            body.append(
                f'<text class="value" x="{at:.1f}" y="{y - 5:.1f}" text-anchor="middle">{escape(figure)}</text>'
            )
        if _shown(index, count, label_step):
            body.append(_label(label, x))
    return _frame(title, _summary(labels, [Series(title, values)], show), body, width)


def lines(
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    show: Callable[[int], str],
    rtl: bool,
    width: int = WIDTH,
) -> Markup:
    """A line per series over the labels, with a legend; the highest value is written on the axis."""
    top = max([1, *(v for s in series for v in s.values)])
    plot = HEIGHT - BOTTOM - TOP
    body = [
        f'<line class="grid" x1="{SIDE}" x2="{width - SIDE}" y1="{TOP}" y2="{TOP}"/>',
        f'<text class="axis" x="{width - SIDE if rtl else SIDE}" y="{TOP - 6}" '
        f'text-anchor="{"end" if rtl else "start"}">{escape(show(top))}</text>',
    ]
    for s in series:
        points = [
            (_slot_x(i, len(labels), rtl, width), HEIGHT - BOTTOM - plot * max(v, 0) / top)
            for i, v in enumerate(s.values)
        ]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(f'<polyline class="line {s.css}" points="{path}"/>')
        body.extend(f'<circle class="dot {s.css}" cx="{x:.1f}" cy="{y:.1f}" r="3.5"/>' for x, y in points)
    # The legend, at the top after the highest value, on the side the text starts from.
    legend = max(LEGEND_START, text_width(show(top), AXIS_SIZE) + GAP)  # past the highest value, however long
    step = min(140.0, (width - 2 * SIDE - legend) / max(len(series), 1))
    anchor = "end" if rtl else "start"
    for index, s in enumerate(series):
        x = width - SIDE - legend - step * index - 12 if rtl else SIDE + legend + step * index
        body.append(f'<rect class="key {s.css}" x="{x:.1f}" y="{TOP - 16}" width="12" height="12"/>')
        body.append(
            f'<text class="axis" x="{x + (-6 if rtl else 18):.1f}" y="{TOP - 6}" text-anchor="{anchor}">'
            f"{escape(s.name)}</text>"
        )
    step = _month_step(labels, width)
    body.extend(
        _label(label, _slot_x(i, len(labels), rtl, width))
        for i, label in enumerate(labels)
        if _shown(i, len(labels), step)
    )
    return _frame(title, _summary(labels, series, show), body, width)


#: The width of a category chart, narrower than a month chart's so its text stays readable on a phone.
ROWS_WIDTH = 420
#: The height of one category's row, and the thickness of its bar.
ROW = 30
ROW_BAR = 18
#: The least share of the width left to the bars: longer names widen the picture rather than be cut.
BAR_SHARE = 0.4


def rows(
    title: str,
    labels: Sequence[str],
    values: Sequence[int],
    show: Callable[[int], str],
    rtl: bool,
    width: int = ROWS_WIDTH,
) -> Markup:
    """A horizontal bar per category, one under the other: its name at the start of the row (the right in a
    right-to-left page) and its figure, written with ``show``, just past the bar's end. Every category is
    named and every figure written, however many there are; the picture grows a row at a time."""
    top = max([*values, 1])
    figures = [show(v) for v in values]
    name_room = max((text_width(t, AXIS_SIZE) for t in labels), default=0.0)
    figure_room = max((text_width(t, VALUE_SIZE) for t in figures), default=0.0) + GAP
    start = SIDE + name_room + GAP  # where the bars start, counted from the start side
    width = max(width, math.ceil(start + figure_room + SIDE + width * BAR_SHARE))
    room = width - start - figure_room - SIDE
    height = TOP // 2 + ROW * len(labels) + TOP // 2

    def across(offset: float) -> float:
        """An offset from the start side, as an x: mirrored in a right-to-left page."""
        return width - offset if rtl else offset

    near, far = ("start", "end") if rtl else ("end", "start")  # physical anchors (the SVG is ltr)
    body = [
        f'<line class="base" x1="{across(start):.1f}" x2="{across(start):.1f}" y1="{TOP // 2}" '
        f'y2="{height - TOP // 2}"/>'
    ]
    for index, (label, value, figure) in enumerate(zip(labels, values, figures, strict=True)):
        middle = TOP // 2 + ROW * index + ROW / 2
        length = room * max(value, 0) / top
        x = across(start + length) if rtl else across(start)
        body.append(
            f'<rect class="bar s1" x="{x:.1f}" y="{middle - ROW_BAR / 2:.1f}" width="{length:.1f}" '
            f'height="{ROW_BAR}"/>'
        )
        body.append(
            f'<text class="axis" x="{across(start - GAP):.1f}" y="{middle + 4.5:.1f}" '
            f'text-anchor="{near}">{escape(label)}</text>'
        )
        body.append(
            f'<text class="value" x="{across(start + length + GAP / 2):.1f}" y="{middle + 4:.1f}" '
            f'text-anchor="{far}">{escape(figure)}</text>'
        )
    return _svg(title, _summary(labels, [Series(title, values)], show), body, width, height, "chart rows")
