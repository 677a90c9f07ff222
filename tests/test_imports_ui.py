"""One upload limit, stated the same everywhere (issue 14): the server's refusal
(.streamlit/config.toml), what the imports take, the import pages' words and the uploader's own."""

import tomllib
from pathlib import Path

from lib.core import files
from lib.grids import boundary_file, sheet_reader
from lib.i18n import i18n
from lib.ui import ui

ROOT = Path(__file__).resolve().parent.parent


def test_the_server_the_imports_and_every_text_state_one_limit():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    limit = files.UPLOAD_LIMIT_MB
    assert config["server"]["maxUploadSize"] == limit
    assert sheet_reader.MAX_FILE_BYTES == boundary_file.MAX_FILE_BYTES == limit * 1024 * 1024
    for key in ("import.groups.intro", "import.grids.intro"):
        assert f"最大 {limit} MB" in i18n.t(key, "zh", max_mb=limit)
    css = ui.hint_css("zh")
    assert f"每个文件最大 {limit} MB" in css and '"选择文件"' in css  # the uploader's English replaced
    assert f"up to {limit} MB each" in ui.hint_css("en")
