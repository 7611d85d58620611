"""The help screen (`?`, F1): every key, read from the live bindings so it can't go stale."""

from __future__ import annotations

from typing import Callable

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from jaxbatch.widgets.pane import Scroll

# Keys handled by widgets rather than app bindings.
_WIDGET_KEYS = [
    ("tab shift+tab", "Move focus: model, batch, tabs, panes"),
    ("enter", "Run the batch shape typed (or open the model list)"),
    ("escape", "Leave the batch input"),
    ("↑ ↓ pgup pgdn", "Scroll the focused pane"),
    ("ctrl+p", "Command palette"),
]


class HelpScreen(ModalScreen[None]):
    AUTO_FOCUS = "Scroll"  # the keys scroll the help at once: at 80x24 most of it is below the fold
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Scroll {
        width: 90%; max-width: 100; height: 90%; border: round $accent; padding: 0 1; background: $surface;
    }
    """
    BINDINGS = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close help", id="help.close", tooltip="Back to the app"),
        # pgdn and pgup page it already (the Scroll's own keys); space and b as in less
        Binding("space", "page(1)", "Page down", show=False, id="help.page_down", tooltip="The next page of help"),
        Binding("b", "page(-1)", "Page up", show=False, id="help.page_up", tooltip="The page of help before"),
    ]

    def __init__(self, sections: list[tuple[str, list[Binding]]], keymap_path: str = "", log: str = "") -> None:
        """`log`: where the process's stderr goes while the app draws, "" where it isn't redirected."""
        super().__init__()
        self._sections, self._keymap_path, self._log = sections, keymap_path, log

    def action_page(self, pages: int) -> None:
        scroll = self.query_one(Scroll)
        scroll.scroll_page_down() if pages > 0 else scroll.scroll_page_up()

    def compose(self) -> ComposeResult:
        with Scroll():
            yield HelpText(self._help_text, id="help-text")

    def _help_text(self, width: int) -> Content:
        """The help laid out `width` cells wide: a description that wraps goes on under itself, in
        its column, and a paragraph under its first line's indent."""
        sections = [(title, [(_keys(b.key), b.tooltip or b.description) for b in bindings])
                    for title, bindings in self._sections]
        sections.append(("Moving around", _WIDGET_KEYS))
        keys = max(len(k) for _, rows in sections for k, _ in rows) + 2
        lines = [Content.styled("jaxbatch-tui keys", "bold $accent")]
        for title, rows in sections:
            lines += [Content(""), Content.styled(title, "bold")]
            for k, text in rows:
                first, *rest = _wrapped(text, width - 2 - keys)
                lines += [Content.assemble((f"  {k:<{keys}}", "bold $accent"), first),
                          *(Content.assemble(" " * (2 + keys), line) for line in rest)]
        if self._keymap_path:
            ids = ", ".join(b.id for _, bindings in self._sections for b in bindings if b.id)
            lines += [Content(""), Content.styled("Your own keys", "bold"),
                      *_indented(f"in {self._keymap_path}, e.g. [keys] \"copy\" = \"y\"; the binding ids: {ids}",
                                 width)]
        if self._log:
            lines += [Content(""), Content.styled("Log", "bold"),
                      *_indented(f"XLA's messages, what your model prints and warnings go to {self._log}, "
                                 "not onto the screen", width)]
        lines += [Content(""), Content.styled("pgdn or space, pgup or b page through this help; escape, q, ? or F1 "
                                              "closes it", "$text-muted")]
        return Content("\n").join(lines)


class HelpText(Static):
    """Text laid out again for each width it is given (Textual's own wrapping would start a
    wrapped description at the left edge, under the keys)."""

    def __init__(self, layout: Callable[[int], Content], id: str) -> None:
        super().__init__(id=id)
        self._layout = layout

    def on_resize(self, event: events.Resize) -> None:
        self.update(self._layout(event.size.width))


def _wrapped(text: str, width: int) -> list[Content]:
    """`text` wrapped at words to `width` (20 at least, however narrow the screen)."""
    return Content(text).wrap(max(width, 20))


def _indented(text: str, width: int) -> list[Content]:
    """A paragraph two cells in, wrapped to `width` under its first line."""
    return [Content.assemble("  ", line) for line in _wrapped(text, width - 2)]


def _keys(key: str) -> str:
    names = {"question_mark": "?", "f1": "F1", "N": "N (shift+n)"}
    return " ".join(names.get(k, k) for k in key.split(","))
