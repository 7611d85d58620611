"""Helpers for Pilot and snapshot tests: wait for the lab's worker, read what is shown."""

from textual.content import Content
from textual.widgets import Static


async def settle(pilot) -> None:
    """Let pending work finish: the lab worker, then the messages it posted, then a repaint."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def shown_text(root) -> str:
    """The plain text of every Static under `root` that is displayed (Labels included)."""
    parts = []
    for widget in root.query(Static):
        if widget.display and all(node.display for node in widget.ancestors_with_self if hasattr(node, "display")):
            content = widget.content
            parts.append(content.plain if isinstance(content, Content) else str(content))
    return "\n".join(parts)
