"""Push figures (issue #4): targeting count over 30,000 groups, poster rendering."""

from __future__ import annotations

import io

from PIL import Image

from bench.common import Env, Figure, p95, repeat
from lib.core import auth
from lib.core.db import connect
from lib.pushes import poster
from lib.pushes.targeting import Target, reach


def _photo(seed: int) -> bytes:
    out = io.BytesIO()
    Image.effect_noise((1600, 1200), 40 + seed).convert("RGB").save(out, "JPEG", quality=85)
    return out.getvalue()


def run(env: Env) -> list[Figure]:
    db = connect(env.db_10x)
    district = auth.load_user(db, "district")
    clerk = auth.load_user(db, "clerk")
    groups = db.execute("SELECT COUNT(*) FROM chat_groups").fetchone()[0]
    targets = [Target(), Target(categories=["comprehensive"]), Target(section_labels=["school", "hospital"]),
               Target(industry_labels=["logistics_express", "home_textiles"], categories=["industry"])]
    samples = []
    for target in targets:
        samples += repeat(lambda target=target: reach(db, district, target), 10)
        samples += repeat(lambda target=target: reach(db, clerk, target), 10)
    figures = [Figure("targeting_reach_10x_p95", round(p95(samples) * 1000, 1), "ms",
                      f"groups and members reached, {groups:,} groups")]
    spec = poster.PosterSpec(
        category="missing_person", category_label="寻人启事", title="紧急寻人：三星镇78岁老人走失",
        body="2026年11月27日18时30分许，张某某（男，78岁）从三星镇叠石桥家纺城东门附近走失，至今未归。" * 2,
        fields=[("走失时间", "11月27日 18:30"), ("走失地点", "三星镇叠石桥家纺城东门"), ("联系人", "三星派出所 0513-82123456")],
        photos=[_photo(1), _photo(2)], qr_png=None, qr_caption="扫码提供线索", issuing_unit="海门区公安局三星派出所",
        hotline="110", date_text="2026年11月28日")
    from lib.pushes import qr

    spec.qr_png = qr.qr_png("http://127.0.0.1:8501/tip?push=1")
    samples = repeat(lambda: poster.render_poster(spec), 5)
    figures.append(Figure("poster_render_p95", round(p95(samples) * 1000, 1), "ms", "2 photos and a QR code"))
    return figures
