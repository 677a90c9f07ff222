"""Shared page helpers in lib/ui/ui.py that carry a safety rule."""

from streamlit.testing.v1 import AppTest

from lib.ui import ui


def test_inert_text_shows_literally_in_markdown():
    assert ui.inert("[点我](http://evil.example) **粗体**") == \
        "\\[点我\\]\\(http\\://evil\\.example\\) \\*\\*粗体\\*\\*"
    assert ui.inert(None) == ""


def _page():
    import streamlit as st

    from lib.core.errors import ValidationError
    from lib.ui import ui

    ui.show_error(ui.Context(db=None, user=None, lang="zh", authenticator=None),
                  ValidationError("templates.error.duplicate", title="[x](http://evil.example)"))
    st.write("done")


def test_a_refusal_quoting_typed_text_renders_no_link():
    at = AppTest.from_function(_page).run()
    assert not at.exception
    shown = at.error[0].value
    assert "\\[x\\]\\(http" in shown


def test_streamlit_input_hints_are_drawn_in_the_users_language():
    from lib.i18n import i18n
    from lib.ui import ui

    zh, en = ui.hint_css("zh"), ui.hint_css("en")
    for key in ("ui.hint.apply", "ui.hint.apply_multiline", "ui.hint.submit", "ui.hint.submit_multiline"):
        assert f'content: "{i18n.t(key, "zh")}"' in zh and f'content: "{i18n.t(key, "en")}"' in en
    assert "Press" not in zh
    # The form's own words come after the page's: in CSS the later of two equal rules wins.
    assert zh.index(i18n.t("ui.hint.submit", "zh")) > zh.index(i18n.t("ui.hint.apply", "zh"))
    kept = ui.keep_counters_css('[data-testid="stForm"]:has(.st-key-tip_submit)')
    assert "span:only-child" in kept and "content: none" in kept
