"""The bottom line of keys: what the focused pane and the app answer to, pane keys first.

Textual's Footer mounts one widget per key and mounts them all again on every focus change;
on a 2-core machine that was most of the cost of switching panes: key p95 130-210 ms with
timings running, 31-37 ms without it (tests/bench/bench_key_latency.py). This bar is one
widget that renders one line, and only when its keys or its width change. It is for the
keyboard: not clickable.

Keys of one group (1 2 3 4 5 Panes) share one entry. What doesn't fit the width is left out from
the end, and `…` says so; the pinned keys (help, quit) are always shown, last.
"""

from __future__ import annotations

from typing import NamedTuple

from textual.binding import Binding
from textual.content import Content
from textual.widgets import Static


class Key(NamedTuple):
    keys: str  # as displayed: `space`, `1 2 3 4 5`
    description: str
    enabled: bool
    pinned: bool = False

    @property
    def width(self) -> int:
        return len(self.keys) + len(self.description) + 3  # " keys description "


MORE = " … "
PANE_KEYS = Binding.Group("Panes")  # the number keys: one entry in the bar


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

    def __init__(self, pinned: tuple[str, ...] = ()) -> None:
        """`pinned`: the ids of the bindings always shown, whatever the width."""
        super().__init__()
        self.pinned = pinned
        self.keys: tuple[Key, ...] = ()

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_resize(self) -> None:
        self.update(key_line(fit(self.keys, self.size.width)))

    def _bindings_changed(self, screen) -> None:
        if screen is not self.screen:
            return
        keys: list[Key] = []
        seen: set[str] = set()
        for _, binding, enabled, _ in screen.active_bindings.values():
            if not binding.show or binding.action in seen:  # one entry per action, as Footer does
                continue
            seen.add(binding.action)
            shown = self.app.get_key_display(binding)
            if binding.group is not None and keys and keys[-1].description == binding.group.description:
                glue = "" if binding.group.compact else " "
                keys[-1] = keys[-1]._replace(keys=keys[-1].keys + glue + shown, enabled=keys[-1].enabled or enabled)
            else:
                description = binding.group.description if binding.group else binding.description
                keys.append(Key(shown, description, enabled, binding.id in self.pinned))
        palette = screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        if palette is not None and self.app.ENABLE_COMMAND_PALETTE:
            first_pinned = next((i for i, k in enumerate(keys) if k.pinned), len(keys))
            keys.insert(first_pinned, Key(self.app.get_key_display(palette[1]), "palette", palette[2], True))
        if tuple(keys) != self.keys:
            self.keys = tuple(keys)
            self.update(key_line(fit(self.keys, self.size.width)))


def fit(keys: tuple[Key, ...] | list[Key], width: int) -> list[Key | None]:
    """The keys that fit in `width` cells: the pinned ones, last, and the others in order until
    the room runs out; None marks where some were left out. Pure, for tests."""
    pinned = [k for k in keys if k.pinned]
    others = [k for k in keys if not k.pinned]
    room = width - sum(k.width for k in pinned)
    if sum(k.width for k in others) <= room:
        return [*others, *pinned]
    room -= len(MORE)
    shown: list[Key | None] = []
    for key in others:
        if key.width > room:
            break
        shown.append(key)
        room -= key.width
    return [*shown, None, *pinned]


def key_line(keys: list[Key | None]) -> Content:
    """`key Description` pairs in theme colours; disabled keys dimmed; None as `…`. Pure, for tests."""
    parts = []
    for key in keys:
        if key is None:
            parts.append(Content.styled(MORE, "$footer-description-foreground"))
            continue
        dim = "" if key.enabled else " dim"
        parts.append(Content.assemble((f" {key.keys}", f"bold $footer-key-foreground{dim}"),
                                      (f" {key.description} ", f"$footer-description-foreground{dim}")))
    return Content("").join(parts)
