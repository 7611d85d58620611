"""Two programs side by side in one scroll view, so both sides always scroll together.

Like toolong's log view, only the visible lines are rendered (`render_line`), from an LRU cache
of highlighted lines, and a jaxpr alignment's rows are made only when shown (`AlignedRows`), so
a 5,000-equation program opens and scrolls as fast as a 5-equation one.
Colours come from component classes styled with theme variables. `n` and `N` move a cursor,
a highlighted row with a `▸` beside its marker, through the rows that differ.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from functools import lru_cache
from typing import Optional, Sequence

from pygments.lexer import Lexer
from pygments.token import Token
from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region, Size, Spacing
from textual.scroll_view import ScrollView
from textual.strip import Strip

from jaxbatch.presentation.programs import MARKERS, ViewRow, difference_stops, longest_line

GUTTER = 2  # marker, then the cursor's pointer or a space
CONTEXT = 2  # rows kept in view above and below the cursor when n or N scrolls to it
SEPARATOR = " │ "

# Token type -> component class; the most specific match wins.
_TOKEN_CLASSES = [
    (Token.Keyword.Type, "type"),
    (Token.Keyword.Constant, "number"),
    (Token.Keyword, "keyword"),
    (Token.Name.Function, "function"),
    (Token.Name.Attribute, "attribute"),
    (Token.Name.Variable, "variable"),
    (Token.Name.Builtin, "attribute"),
    (Token.Name.Constant, "number"),
    (Token.Literal.Number, "number"),
    (Token.Literal.String, "string"),
    (Token.Comment, "muted"),
    (Token.Punctuation, "muted"),
]


class SideBySide(ScrollView, can_focus=True):
    COMPONENT_CLASSES = {
        "side-by-side--keyword", "side-by-side--type", "side-by-side--function", "side-by-side--attribute",
        "side-by-side--variable", "side-by-side--number", "side-by-side--string", "side-by-side--muted",
        "side-by-side--differ", "side-by-side--only-left", "side-by-side--only-right", "side-by-side--mark",
        "side-by-side--gap", "side-by-side--gutter-same", "side-by-side--gutter-differ",
        "side-by-side--gutter-only-left", "side-by-side--gutter-only-right", "side-by-side--separator",
        "side-by-side--cursor",
    }
    DEFAULT_CSS = """
    SideBySide { scrollbar-size: 1 1; }
    SideBySide > .side-by-side--keyword { color: $accent; text-style: bold; }
    SideBySide > .side-by-side--type { color: $text-secondary; }
    SideBySide > .side-by-side--function { color: $text-primary; text-style: bold; }
    SideBySide > .side-by-side--attribute { color: $text-muted; }
    SideBySide > .side-by-side--variable { color: $foreground; }
    SideBySide > .side-by-side--number { color: $text-warning; }
    SideBySide > .side-by-side--string { color: $text-success; }
    SideBySide > .side-by-side--muted { color: $text-muted; }
    SideBySide > .side-by-side--differ { background: $warning 10%; }
    SideBySide > .side-by-side--only-left { background: $error 12%; }
    SideBySide > .side-by-side--only-right { background: $success 12%; }
    SideBySide > .side-by-side--mark { background: $warning 40%; text-style: underline; }
    SideBySide > .side-by-side--gap { color: $text-muted 40%; }
    SideBySide > .side-by-side--gutter-same { color: $text-muted; }
    SideBySide > .side-by-side--gutter-differ { color: $text-warning; text-style: bold; }
    SideBySide > .side-by-side--gutter-only-left { color: $text-error; text-style: bold; }
    SideBySide > .side-by-side--gutter-only-right { color: $text-success; text-style: bold; }
    SideBySide > .side-by-side--separator { color: $text-muted; }
    SideBySide > .side-by-side--cursor { background: $foreground 20%; }
    /* 16 colours can't tint a background: the gutter marks the rows, underlines the params */
    SideBySide:ansi > .side-by-side--differ { background: ansi_default; }
    SideBySide:ansi > .side-by-side--only-left { background: ansi_default; }
    SideBySide:ansi > .side-by-side--only-right { background: ansi_default; }
    SideBySide:ansi > .side-by-side--mark { background: ansi_default; text-style: bold underline; }
    SideBySide:ansi > .side-by-side--cursor { background: ansi_default; text-style: reverse; }
    """
    BINDINGS = [
        Binding("j", "scroll_down", "Down", show=False, id="programs.down", tooltip="Scroll both programs down"),
        Binding("k", "scroll_up", "Up", show=False, id="programs.up", tooltip="Scroll both programs up"),
        Binding("n", "next_difference", "Next diff", show=False, id="programs.next",
                tooltip="Move the cursor to the next row that differs (after the last, back to the first)"),
        Binding("N", "previous_difference", "Prev diff", show=False, id="programs.previous",
                tooltip="Move the cursor to the previous row that differs (before the first, to the last)"),
    ]

    def __init__(self, *, id: Optional[str] = None) -> None:
        super().__init__(id=id)
        self._rows: Sequence[ViewRow] = []
        self._stops: list[int] = []
        self.cursor: Optional[int] = None  # the current row, once n or N has picked one
        self._lexer: Optional[Lexer] = None
        self._longest = 0
        self._lines: LRUCache[tuple, Strip] = LRUCache(1024)
        self._sides: LRUCache[tuple, Strip] = LRUCache(4096)
        self._styles: dict[tuple[str, ...], Style] = {}

    # ---- data ----------------------------------------------------------------------------

    def show(self, rows: Sequence[ViewRow], lexer: Optional[Lexer]) -> None:
        self._rows = rows
        self._stops = difference_stops(self._rows)
        self.cursor = None
        self._lexer = lexer
        self._longest = longest_line(self._rows)
        self._clear_caches()
        self.scroll_to(0, 0, animate=False)
        self._update_virtual_size()
        self.refresh()

    @property
    def rows(self) -> Sequence[ViewRow]:
        return self._rows

    def _clear_caches(self) -> None:
        self._lines.clear()
        self._sides.clear()
        self._styles.clear()

    def _update_virtual_size(self) -> None:
        width = self.scrollable_content_region.width or self.size.width
        half = _half(width)
        self.virtual_size = Size(width + max(0, self._longest - half), len(self._rows))

    def on_resize(self) -> None:
        self._lines.clear()
        self._update_virtual_size()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._clear_caches()

    # ---- navigation ----------------------------------------------------------------------

    def action_next_difference(self) -> None:
        self._step(forward=True)

    def action_previous_difference(self) -> None:
        self._step(forward=False)

    def _step(self, forward: bool) -> None:
        """Move the cursor to the next (or previous) differing row, wrapping round at the ends.
        From a cursor scrolled out of sight, the search starts at the screen's edge instead."""
        if not self._stops:
            self.notify("no differences: every row is the same" if self._rows else "nothing to compare",
                        timeout=2)
            return
        top = round(self.scroll_offset.y)
        bottom = top + self.scrollable_content_region.height - 1
        if self.cursor is not None and top <= self.cursor <= bottom:
            start = self.cursor
        else:
            start = top - 1 if forward else bottom + 1
        at = bisect_right(self._stops, start) if forward else bisect_left(self._stops, start) - 1
        if 0 <= at < len(self._stops):
            target = self._stops[at]
        else:
            target = self._stops[0] if forward else self._stops[-1]
            self.notify("this is the only difference" if target == self.cursor
                        else "past the last difference: back to the first" if forward
                        else "before the first difference: on to the last", timeout=2)
        self._move_cursor(target)

    def _move_cursor(self, index: int) -> None:
        """Make row `index` the current row, and scroll it into view with a little context."""
        self.cursor = index
        self.scroll_to_region(Region(round(self.scroll_offset.x), index, 1, 1), spacing=Spacing(CONTEXT, 0, CONTEXT, 0),
                              animate=False, x_axis=False, immediate=True)
        self.refresh()

    # ---- rendering -----------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        if index >= len(self._rows):
            return Strip.blank(width, self._style())
        key = (index, scroll_x, width, index == self.cursor)
        strip = self._lines.get(key)
        if strip is None:
            strip = self._render_row(index, scroll_x, width)
            self._lines[key] = strip
        return strip

    def _render_row(self, index: int, scroll_x: int, width: int) -> Strip:
        row = self._rows[index]
        half = _half(width)
        rest = width - GUTTER - len(SEPARATOR) - half
        status = row.status.replace("_", "-")
        current = index == self.cursor
        base = ("cursor",) if current else ()
        parts = [
            Strip([Segment(f"{MARKERS[row.status]}{'▸' if current else ' '}",
                           self._style(*base, f"gutter-{status}"))], GUTTER),
            self._side(index, 0).crop_extend(scroll_x, scroll_x + half, self._row_style(index, 0)),
            Strip([Segment(SEPARATOR, self._style(*base, "separator"))]),
            self._side(index, 1).crop_extend(scroll_x, scroll_x + rest, self._row_style(index, 1)),
        ]
        return Strip.join(parts)

    def _style(self, *names: str) -> Style:
        """The widget's style plus these component classes', in order. Looked up once per style
        update: the widget's own style is worked out from every ancestor's."""
        style = self._styles.get(names)
        if style is None:
            style = self.rich_style
            for name in names:
                style += self.get_component_rich_style(f"side-by-side--{name}")
            self._styles[names] = style
        return style

    def _row_style(self, index: int, side: int) -> Style:
        """The row's background: the cursor's on the current row, else its status's tint."""
        status = self._rows[index].status
        if index == self.cursor:
            return self._style("cursor")
        if status == "differ":
            return self._style("differ")
        if (status, side) in (("only_left", 0), ("only_right", 1)):
            return self._style(status.replace("_", "-"))
        return self._style()

    def _side(self, index: int, side: int) -> Strip:
        key = (index, side, index == self.cursor)
        strip = self._sides.get(key)
        if strip is None:
            strip = self._highlight(index, side)
            self._sides[key] = strip
        return strip

    def _highlight(self, index: int, side: int) -> Strip:
        """One side of a row, coloured by its tokens and its marks. The segments are cut where
        a coloured token or a mark starts or ends, as Rich's Text would cut them."""
        row = self._rows[index]
        line = row.left if side == 0 else row.right
        background = self._row_style(index, side)
        if line is None:
            return Strip([Segment("╱" * max(self._longest, 1), background + self._component("gap"))])
        tokens = [(start, start + len(value), css) for start, token, value in
                  (self._lexer.get_tokens_unprocessed(line) if self._lexer is not None else ())
                  if value and (css := _token_class(token))]
        marks = [(a, min(b, len(line))) for a, b in (row.left_marks if side == 0 else row.right_marks)
                 if a < min(b, len(line))]
        cuts = sorted({0, len(line), *(at for span in tokens for at in span[:2]),
                       *(at for span in marks for at in span)})
        segments, t = [], 0
        for a, b in zip(cuts, cuts[1:]):
            while t < len(tokens) and tokens[t][1] <= a:
                t += 1
            style = background
            if t < len(tokens) and tokens[t][0] <= a:
                style += self._component(tokens[t][2])
            if marks and any(m <= a < n for m, n in marks):
                style += self._component("mark")
            segments.append(Segment(line[a:b], style))
        return Strip(segments, cell_len(line))

    def _component(self, name: str) -> Style:
        return self.get_component_rich_style(f"side-by-side--{name}")


def _half(width: int) -> int:
    return max(1, (width - GUTTER - len(SEPARATOR)) // 2)


@lru_cache(maxsize=None)  # a lexer has a few dozen token types
def _token_class(token) -> Optional[str]:
    for parent, css in _TOKEN_CLASSES:
        if token in parent:
            return css
    return None
