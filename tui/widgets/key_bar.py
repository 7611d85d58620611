"""The bottom line of keys: what the focused pane and the app answer to, pane keys first.

Textual's Footer mounts one widget per key and mounts them all again on every focus change;
on a 2-core machine that was most of the cost of switching panes: key p95 130-210 ms with
timings running, 31-37 ms without it (tests/bench/bench_key_latency.py). This bar is one
widget that renders one line, and only when its keys change. It is for the keyboard: not
clickable.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


class KeyBar(Static):
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $footer-background;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._shown: tuple = ()
        self._bindings_changed(self.screen)

    def _bindings_changed(self, screen) -> None:
        if screen is not self.screen:
            return
        keys, seen = [], set()
        for _, binding, enabled, _ in screen.active_bindings.values():
            if binding.show and binding.action not in seen:  # one entry per action, as Footer does
                seen.add(binding.action)
                keys.append((self.app.get_key_display(binding), binding.description, enabled))
        palette = screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        if palette is not None and self.app.ENABLE_COMMAND_PALETTE:
            keys.append((self.app.get_key_display(palette[1]), "palette", palette[2]))
        if tuple(keys) != self._shown:
            self._shown = tuple(keys)
            self.update(key_line(keys))


def key_line(keys: list[tuple[str, str, bool]]) -> Content:
    """`key Description` pairs in theme colours; disabled keys dimmed. Pure, for tests."""
    parts = []
    for key, description, enabled in keys:
        dim = "" if enabled else " dim"
        parts.append(Content.assemble((f" {key}", f"bold $footer-key-foreground{dim}"),
                                      (f" {description} ", f"$footer-description-foreground{dim}")))
    return Content("").join(parts)
