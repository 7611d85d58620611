"""Colour: themes by name, NO_COLOR, and the ANSI theme for 16-colour terminals."""

import pytest

from app_helpers import make_test_app, settle


def test_a_theme_by_name():
    assert make_test_app(theme="nord").theme == "nord"


def test_no_color_turns_colour_off(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    assert make_test_app().no_color


@pytest.mark.parametrize("theme", ["ansi-dark", "textual-light"])
def test_readable_in_ansi_and_light_themes(snap_compare, theme):
    assert snap_compare(make_test_app(theme=theme), terminal_size=(80, 24), press=["2"], run_before=settle)
