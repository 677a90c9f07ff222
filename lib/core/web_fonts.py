"""Streamlit's web fonts cut to what the portal shows, for nginx to serve instead (deploy/nginx).

Every page of Streamlit 1.67 preloads its whole icon font (Material Symbols Rounded, 376 kB: 4,000 icons)
and draws its skeleton in Source Sans (170 kB, with Greek, Cyrillic and Vietnamese). A phone on a slow
network pays for both before the tip form shows. The portal shows about 160 icons — the ones Streamlit's
own frontend names and the ones the portal's code names — and its text is Chinese (drawn by the system's
CJK font) with Latin letters and digits. ``write_fonts`` writes the cut fonts under the names nginx maps
Streamlit's hashed file names to; a character missing from a cut text font falls back to the system font,
and an icon missing from the cut icon font would show as its name, which ``icon_names`` prevents by
reading every name the installed Streamlit and the portal can ask for.

fontTools is imported inside the functions: the portal itself never needs it.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PORTAL_CODE = ("app.py", "lib", "pages")
ICON_NAME = re.compile(r":material/([a-z0-9_]+):")
ICON_FONT = "MaterialSymbols-Rounded"
# Each cut font is written as <stem>.woff2: deploy/nginx/portal.conf maps Streamlit's file names to these.
TEXT_FONTS = ("SourceSansVF-Upright", "SourceSansVF-Italic")
# Latin letters with Western European accents (names, pinyin with tones are in Latin Extended-A/B),
# general punctuation, the euro and yuan signs, arrows and the minus.
TEXT_UNICODES = sorted({*range(0x20, 0x7F), *range(0xA0, 0x250), *range(0x2000, 0x2070), *range(0x20A0, 0x20C1),
                        0x2122, *range(0x2190, 0x2194), 0x2212, 0xFEFF, 0xFFFD})
LIGATURE_TEXT = "abcdefghijklmnopqrstuvwxyz0123456789_"


def streamlit_static() -> Path:
    """The installed Streamlit's static folder (found without importing Streamlit)."""
    spec = importlib.util.find_spec("streamlit")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("streamlit is not installed")
    return Path(spec.origin).parent / "static" / "static"


def font_file(stem: str) -> Path:
    """Streamlit's file of a font, whatever its content hash (``MaterialSymbols-Rounded.nEdyypZU.woff2``)."""
    found = sorted((streamlit_static() / "media").glob(f"{stem}.*woff2"))
    if len(found) != 1:
        raise FileNotFoundError(f"expected one {stem} font in Streamlit's static files, found {len(found)}")
    return found[0]


def _names_in(files) -> set[str]:
    names: set[str] = set()
    for path in files:
        names.update(ICON_NAME.findall(path.read_text(encoding="utf-8", errors="ignore")))
    return names


def portal_icon_names() -> set[str]:
    """The icon names the portal's own code uses (``":material/campaign:"``)."""
    return _names_in(f for p in PORTAL_CODE for f in ([ROOT / p] if p.endswith(".py") else (ROOT / p).rglob("*.py")))


def icon_names() -> set[str]:
    """Every icon name the installed Streamlit (frontend and Python) and the portal's code can ask for."""
    static = streamlit_static()
    return _names_in([*(static / "js").glob("*.js"), *static.parents[1].rglob("*.py")]) | portal_icon_names()


def ligatures(font) -> dict[str, str]:
    """Icon name → glyph of a Material Symbols font (several names may draw one glyph)."""
    to_char = {glyph: chr(code) for code, glyph in font.getBestCmap().items()}
    out: dict[str, str] = {}
    for lookup in font["GSUB"].table.LookupList.Lookup:
        for table in lookup.SubTable:
            table = getattr(table, "ExtSubTable", table)
            for first, rules in getattr(table, "ligatures", {}).items():
                for rule in rules:
                    text = "".join(to_char.get(g, "\0") for g in [first, *rule.Component])
                    out.setdefault(text, rule.LigGlyph)
    return out


def _subsetter(**populate):
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    # Without this, the letters' ligature closure would keep every one of the font's 4,000 icons.
    options.layout_closure = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(**populate)
    return subsetter


def cut_icon_font(names: set[str], dest: Path) -> None:
    """Write the icon font with only ``names`` (and their filled forms)."""
    from fontTools.ttLib import TTFont

    font = TTFont(font_file(ICON_FONT))
    by_name = ligatures(font)
    glyphs = {by_name[n] for n in names if n in by_name}
    glyphs |= {f"{g}.fill" for g in glyphs} & set(font.getGlyphOrder())
    _subsetter(glyphs=sorted(glyphs), text=LIGATURE_TEXT).subset(font)
    font.flavor = "woff2"
    font.save(dest)


def cut_text_font(stem: str, dest: Path) -> None:
    """Write one of Streamlit's Source Sans fonts with Latin, punctuation and currency signs only."""
    from fontTools.ttLib import TTFont

    font = TTFont(font_file(stem))
    _subsetter(unicodes=TEXT_UNICODES).subset(font)
    font.flavor = "woff2"
    font.save(dest)


def write_fonts(folder: Path) -> dict[str, int]:
    """Write the cut fonts into ``folder`` (created) as nginx expects them; file name → bytes.

    Raises ValueError, before writing anything, when an icon the portal's code names is not in
    Streamlit's icon font at all: it would show as its name on every server, cut or not. (Names in
    Streamlit's own docstrings that its font never had are asked for by no page.)"""
    from fontTools.ttLib import TTFont

    unknown = sorted(portal_icon_names() - set(ligatures(TTFont(font_file(ICON_FONT)))))
    if unknown:
        raise ValueError(f"icons the portal names that Streamlit's font does not have: {', '.join(unknown)}")
    folder.mkdir(parents=True, exist_ok=True)
    cut_icon_font(icon_names(), folder / f"{ICON_FONT}.woff2")
    for stem in TEXT_FONTS:
        cut_text_font(stem, folder / f"{stem}.woff2")
    return {p.name: p.stat().st_size for p in sorted(folder.glob("*.woff2"))}
