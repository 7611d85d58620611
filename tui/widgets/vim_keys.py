"""j and k scroll a pane, as in vim and less; shared so one keymap entry changes them all."""

from textual.binding import Binding

SCROLL_KEYS = [
    Binding("j", "scroll_down", "Down", show=False, id="scroll.down", tooltip="Scroll the pane down"),
    Binding("k", "scroll_up", "Up", show=False, id="scroll.up", tooltip="Scroll the pane up"),
]
