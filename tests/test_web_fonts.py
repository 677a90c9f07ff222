"""lib/core/web_fonts.py: the fonts nginx serves in place of Streamlit's (issue #12)."""

from __future__ import annotations

import pytest
from fontTools.ttLib import TTFont

from lib import cli
from lib.core import web_fonts


@pytest.fixture(scope="module")
def cut(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fonts")
    return folder, web_fonts.write_fonts(folder)


def test_the_cut_icon_font_draws_every_icon_streamlit_and_the_portal_name(cut):
    folder, sizes = cut
    full = web_fonts.ligatures(TTFont(web_fonts.font_file(web_fonts.ICON_FONT)))
    drawn = web_fonts.ligatures(TTFont(folder / "MaterialSymbols-Rounded.woff2"))
    wanted = web_fonts.icon_names()
    assert {"campaign", "manage_accounts", "hourglass_top", "expand_more", "upload", "close"} <= wanted
    # every name the full font has, the cut one draws
    assert {n for n in wanted if n in full} <= set(drawn)
    assert web_fonts.portal_icon_names() <= set(drawn)
    # and nothing much else: a few names share a glyph with one that is wanted (access_time → schedule)
    assert len(drawn) < 2 * len(wanted) < len(full) / 10
    full_size = web_fonts.font_file(web_fonts.ICON_FONT).stat().st_size
    assert sizes["MaterialSymbols-Rounded.woff2"] < full_size / 10, (sizes, full_size)


def test_the_cut_text_fonts_keep_latin_and_drop_what_the_portal_never_writes(cut):
    folder, sizes = cut
    for stem in web_fonts.TEXT_FONTS:
        font = TTFont(folder / f"{stem}.woff2")
        cmap = font.getBestCmap()
        assert all(ord(c) in cmap for c in "Aa Zz 09 @#%&*()[]{}«» é ü ñ ǚ € ¥ – — … ‘’ “”"), stem
        assert ord("Ж") not in cmap and ord("Ω") not in cmap  # Cyrillic and Greek fall back to the system font
        assert "fvar" in font  # still the variable font: bold and regular from one file
        assert sizes[f"{stem}.woff2"] < web_fonts.font_file(stem).stat().st_size / 3


def test_an_icon_streamlits_font_does_not_have_is_refused_before_anything_is_served(tmp_path, monkeypatch):
    monkeypatch.setattr(web_fonts, "portal_icon_names", lambda: {"campaign", "no_such_icon"})
    with pytest.raises(ValueError, match="no_such_icon"):
        web_fonts.write_fonts(tmp_path / "fonts")
    assert not (tmp_path / "fonts").exists()


def test_the_command_line_writes_the_fonts(tmp_path, capsys):
    assert cli.main(["web-fonts", "--to", str(tmp_path / "fonts")]) == 0
    assert sorted(p.name for p in (tmp_path / "fonts").iterdir()) == [
        "MaterialSymbols-Rounded.woff2", "SourceSansVF-Italic.woff2", "SourceSansVF-Upright.woff2"]
    assert "MaterialSymbols-Rounded.woff2" in capsys.readouterr().out
