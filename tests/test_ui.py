"""Shared page helpers in lib/ui.py that carry a safety rule."""

from streamlit.testing.v1 import AppTest

from lib import ui


def test_inert_text_shows_literally_in_markdown():
    assert ui.inert("[点我](http://evil.example) **粗体**") == \
        "\\[点我\\]\\(http\\://evil\\.example\\) \\*\\*粗体\\*\\*"
    assert ui.inert(None) == ""


def _page():
    import streamlit as st

    from lib import ui
    from lib.errors import ValidationError

    ui.show_error(ui.Context(db=None, user=None, lang="zh", authenticator=None),
                  ValidationError("templates.error.duplicate", title="[x](http://evil.example)"))
    st.write("done")


def test_a_refusal_quoting_typed_text_renders_no_link():
    at = AppTest.from_function(_page).run()
    assert not at.exception
    shown = at.error[0].value
    assert "\\[x\\]\\(http" in shown
