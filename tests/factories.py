"""Builders for what the tests set up again and again: a grid of a station, a tip, an appeal from
draft to sent, a push sent without review, a mediation case, and a user of another station or a
second one of the same unit.

Each builder goes through the lib function the portal itself calls (``tips.create_tip``,
``pushes.new_draft`` … ``approve_and_send``, ``mediation.open_case``, ``auth.create_user``), so a test
starts from rows the domain wrote — routing, clocks, audit rows and notices included — never from
rows inserted behind its back. A test about a refusal calls the lib function itself; the builders
are for what comes before the thing under test.
"""

from __future__ import annotations

import io

from PIL import Image

from lib.core import auth
from lib.mediation import mediation
from lib.pushes import pushes
from lib.pushes.targeting import Target
from lib.tips import tips
from lib.tips.tips import TipInput

# --- places -----------------------------------------------------------------------------------


def station_of(station) -> int:
    """A station id from a station id or a user of that station."""
    return station if isinstance(station, int) else station.station_id


def station_grid(db, station, *, category: str | None = None) -> int:
    """The first grid (by id) of ``station`` (an id, or a user of the station) that has a boundary:
    a tip placed in it, or at its centre, is routed to that station. ``category`` narrows the choice
    (``"comprehensive"``: the grids the public form offers)."""
    sql = "SELECT id FROM grids WHERE station_id = ? AND geometry IS NOT NULL"
    params: list = [station_of(station)]
    if category is not None:
        sql += " AND category = ?"
        params.append(category)
    row = db.execute(sql + " ORDER BY id LIMIT 1", params).fetchone()
    assert row is not None, f"station {params[0]} has no grid with a boundary" + (f" of {category}" if category else "")
    return row[0]


def grid_center(db, grid_id: int) -> tuple[float, float]:
    """The stored centre (lat, lon) of a grid: a point that routes to the grid's station."""
    return tuple(db.execute("SELECT lat, lon FROM grids WHERE id = ?", [grid_id]).fetchone())


def grid_of_another_station(db, station) -> tuple[int, int]:
    """(grid id, its station id) of the first bounded grid that is not ``station``'s."""
    return tuple(db.execute("SELECT id, station_id FROM grids WHERE station_id != ? AND geometry IS NOT NULL"
                            " ORDER BY id LIMIT 1", [station_of(station)]).fetchone())


# --- tips ---------------------------------------------------------------------------------------

TIP_TEXT = {
    "request": "小区东门的路灯坏了好几天，晚上出入很不方便，请帮忙报修。",
    "lead": "三星镇汽车站旁停着一辆灰色面包车，车头有撞痕。",
    "inquiry": "邻居欠我三万元不还，能起诉吗？",
    "complaint": "楼下饭店每天夜里十一点后还在搬货，声音很大，请管一管。",
}
"""A description that passes intake, per kind."""


def jpeg(color=(30, 90, 200), *, size=(300, 200), gps: bool = False) -> bytes:
    """A small JPEG photo; ``gps`` adds a GPS position to its EXIF (intake must strip it)."""
    out = io.BytesIO()
    img = Image.new("RGB", size, color)
    if gps:
        exif = Image.Exif()
        exif[0x8825] = {1: "N", 2: (31.0, 59.0, 0.0)}
        img.save(out, "JPEG", exif=exif)
    else:
        img.save(out, "JPEG")
    return out.getvalue()


def tip_input(kind: str = "request", **fields) -> TipInput:
    """What a sender gives, valid unless ``fields`` say otherwise: consented, anonymous, and the
    kind's sample description (``TIP_TEXT``) unless one is given."""
    return TipInput(**{"kind": kind, "description": TIP_TEXT.get(kind, TIP_TEXT["request"]), "consent": True,
                       **fields})


def make_tip(db, *, station=None, kind: str = "request", push_id: int | None = None, user=None,
             now: str | None = None, priority: str | None = None, **fields) -> dict:
    """A tip taken in by ``tips.create_tip`` (routing, both clocks, the audit row).

    ``station`` (an id or a user of the station) places it in the station's first bounded grid
    (:func:`station_grid`) unless ``grid_id`` is given; without either it goes where its other fields
    route it (with none: the district center — unless ``user``, a station's user logging it, keeps it).
    ``push_id`` links it to a push (a station's appeal routes it to the issuing station). ``fields``
    are any other :class:`~lib.tips.tips.TipInput` fields. Returns create_tip's answer: ``id``,
    ``tracking_code``, ``station_id``."""
    if station is not None and "grid_id" not in fields:
        fields["grid_id"] = station_grid(db, station)
    return tips.create_tip(db, tip_input(kind, push_id=push_id, **fields), user=user, priority=priority, now=now)


# --- pushes -------------------------------------------------------------------------------------

APPEAL = {
    "title": "寻人启事：七旬老人走失",
    "fields": {"person": "顾某某，男，72岁", "description": "身高约1.65米，穿深蓝色棉衣", "when": "11月27日18时许",
               "where": "三星镇叠石桥家纺城东门", "contact": "三星派出所 0513-82123456"},
}
"""The content of a station's missing-person appeal (the tests of the public form show its title)."""

DISTRICT_APPEAL = {
    "title": "寻人启事：全区协查",
    "fields": {"person": "顾某某，男，72岁", "description": "穿深蓝色棉衣", "when": "12月4日9时许",
               "where": "海门街道", "contact": "联动中心 0513-82100000"},
}
"""The content of the linkage center's appeal to the whole district."""

NOTICE = {"title": "警惕冒充客服退款诈骗", "fields": {"scam": "冒充电商客服", "advice": "退款不需要提供验证码"}}
"""The content of an anti-fraud notice (a category sent without review)."""


def photo_bytes(color=(200, 30, 30)) -> bytes:
    """The appeal photo: a 320×240 JPEG."""
    return jpeg(color, size=(320, 240))


def complete_appeal(db, author, *, district_wide: bool = False) -> dict:
    """A missing-person appeal draft with every field filled, the author's whole scope as its
    audience and a photo: ready to submit. ``district_wide`` (a district admin's): the center's
    appeal to every station."""
    content = DISTRICT_APPEAL if district_wide else APPEAL
    push = pushes.new_draft(db, author, "appeal", "missing_person", district_wide=district_wide)
    push = pushes.save_draft(db, author, push["id"], push["version"], title=content["title"],
                             fields=content["fields"], target=Target())
    return pushes.add_photo(db, author, push["id"], photo_bytes())


def submitted_appeal(db, author, **kw) -> dict:
    """A complete appeal (:func:`complete_appeal`) submitted for review: ``pending_review``."""
    push = complete_appeal(db, author, **kw)
    return pushes.submit(db, author, push["id"], push["version"])


def reviewer(db, push: dict):
    """Who approves ``push`` in the tests: the first user the portal asks to review it
    (``pushes.reviewers``); a second district admin is made when the district has only its author."""
    ids = pushes.reviewers(db, push)
    if ids:
        return auth.get_user_by_id(db, ids[0])
    return colleague(db, auth.get_user_by_id(db, push["created_by"]))


def sent_appeal(db, author, approver=None, *, district_wide: bool = False) -> dict:
    """An appeal through the four eyes: completed and submitted by ``author``, then approved and sent
    in one step (``pushes.approve_and_send``) by ``approver`` (default: :func:`reviewer`). Returns the
    push as sent (``sending``, its deliveries created)."""
    push = submitted_appeal(db, author, district_wide=district_wide)
    approver = approver or reviewer(db, push)
    return pushes.approve_and_send(db, approver, push["id"], push["version"])


def sent_notice(db, user, *, category: str = "anti_fraud", title: str = NOTICE["title"], body: str | None = None,
                fields: dict | None = None, target: Target | None = None, when: str | None = None) -> dict:
    """A push of a category that needs no review (an anti-fraud notice unless told), saved and sent by
    ``user`` — or scheduled, with ``when`` (ISO UTC). ``fields`` default to the notice's own for
    anti-fraud, none otherwise; ``target`` to the user's whole scope."""
    if fields is None and category == "anti_fraud":
        fields = NOTICE["fields"]
    push = pushes.new_draft(db, user, category)
    push = pushes.save_draft(db, user, push["id"], push["version"], title=title, body=body, fields=fields,
                             target=target or Target())
    return pushes.send(db, user, push["id"], push["version"], when=when)


# --- mediation ----------------------------------------------------------------------------------

CASE = {"title": "顾某与唐某商贸纠纷", "dispute_type": "commercial_trade",
        "summary": "双方在肯尼亚经商，因销售同类床上用品发生矛盾，唐某到顾某仓库滋事。"}
"""The values of a walk-in case (a dispute between two traders, one abroad)."""


def case_parties(**respondent) -> list[dict]:
    """An applicant in China and a respondent in Kenya, both with a phone; ``respondent`` changes
    or adds fields of the respondent (``time_zone``, ``phone`` …)."""
    return [{"role": "applicant", "name": "顾建国", "phone": "13912345678"},
            {"role": "respondent", "name": "唐海涛", "phone": "+254 712 345 678", "country": "KE", **respondent}]


def case_values(**fields) -> dict:
    """:data:`CASE` with ``fields`` changed or added (``station_id``, ``mediator_user_id`` …)."""
    return {**CASE, **fields}


def make_case(db, user, *, parties: list[dict] | None = None, **fields) -> dict:
    """A walk-in case opened by ``user`` through ``mediation.open_case``: :func:`case_values` of
    ``fields`` (a district admin gives ``station_id``), with :func:`case_parties` unless ``parties``
    is given. Returns the case."""
    return mediation.open_case(db, user, case_values(**fields), case_parties() if parties is None else parties)


# --- users --------------------------------------------------------------------------------------


def _user(db, created) -> auth.User:
    return auth.get_user_by_id(db, created if isinstance(created, int) else created.id)


def other_station_clerk(db, user) -> auth.User:
    """A clerk of the first station (by id) that is not ``user``'s: the demo's own if it has one,
    else one made through ``auth.create_user`` (a record without a login)."""
    station = db.execute("SELECT id FROM units WHERE kind = 'station' AND id != ? ORDER BY id LIMIT 1",
                         [user.station_id]).fetchone()[0]
    row = db.execute("SELECT id FROM users WHERE unit_id = ? AND role = 'clerk' LIMIT 1", [station]).fetchone()
    if row is not None:
        return auth.get_user_by_id(db, row[0])
    return _user(db, auth.create_user(db, None, username="other", name="他所民警", role="clerk", unit_id=station,
                                      password=None))


def colleague(db, user) -> auth.User:
    """Another active user of ``user``'s unit and role (a second pair of eyes): an existing one, else
    one made through ``auth.create_user``."""
    row = db.execute("SELECT id FROM users WHERE unit_id = ? AND role = ? AND id != ? AND is_active = 1"
                     " ORDER BY id LIMIT 1", [user.unit_id, user.role, user.id]).fetchone()
    if row is not None:
        return auth.get_user_by_id(db, row[0])
    return _user(db, auth.create_user(db, None, username=f"{user.username}2", name=f"{user.name}（二）",
                                      role=user.role, unit_id=user.unit_id, password=None))
