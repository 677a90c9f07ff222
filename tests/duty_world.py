"""A tiny district for the duty tests, written row by row so that every figure can be worked out by hand:

- station 三星 (id 2) with outpost 东桥站 (id 3); station 悦来 (id 4);
- officers 张警官 (id 10, outpost 东桥站) and 李警官 (id 11, station 三星), 王警官 (id 12, 悦来); the
  station admin 所长 (id 13, 三星); the district admin (id 14);
- grids: g1 comprehensive (东桥站, 1,000 residents, a boundary), g2 comprehensive (东桥站, 500 residents,
  no boundary, no group), g3 dedicated (三星, no outpost), g4 comprehensive (悦来, 800 residents);
- groups: c1 in g1 (张, 300 members, standard name), c2 in g3 (张, 50 members, a non-standard name),
  c3 in g1 (李, 100 members), c4 in g4 (王, 200 members).

Times are fixed: ``NOW`` is Monday 2026-11-30 12:00 Beijing time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lib.core import auth
from lib.core.clock import stamp
from lib.core.db import write_transaction

NOW = datetime(2026, 11, 30, 4, 0, tzinfo=UTC)  # 12:00 in Beijing, a Monday
STATION, OUTPOST, OTHER_STATION = 2, 3, 4
ZHANG, LI, WANG, ADMIN, DISTRICT = 10, 11, 12, 13, 14
G1, G2, G3, G4 = 21, 22, 23, 24
C1, C2, C3, C4 = 31, 32, 33, 34


def ago(days: float = 0, hours: float = 0) -> str:
    return stamp(NOW - timedelta(days=days, hours=hours))


def build(db) -> None:
    """Write the district (see the module docstring)."""
    square = '{"type":"Polygon","coordinates":[[[121.1,31.8],[121.2,31.8],[121.2,31.9],[121.1,31.9],[121.1,31.8]]]}'
    with write_transaction(db):
        db.conn.executemany("INSERT INTO units (id, code, kind, name, parent_id, station_id) VALUES (?, ?, ?, ?, ?, ?)", [
            (1, "D", "district_center", "联动中心", None, None), (STATION, "S1", "station", "三星派出所", 1, None),
            (OUTPOST, "S1-1", "outpost", "东桥工作站", STATION, STATION),
            (OTHER_STATION, "S2", "station", "悦来派出所", 1, None)])
        db.conn.executemany("INSERT INTO users (id, username, name, role, unit_id) VALUES (?, ?, ?, ?, ?)", [
            (ZHANG, "zhang", "张警官", "clerk", OUTPOST), (LI, "li", "李警官", "clerk", STATION),
            (WANG, "wang", "王警官", "clerk", OTHER_STATION), (ADMIN, "boss", "所长", "station_admin", STATION),
            (DISTRICT, "center", "值班长", "district_admin", 1)])
        db.conn.executemany(
            "INSERT INTO grids (id, code, name, category, station_id, outpost_id, population, geometry)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [
                (G1, "G1", "东桥社区", "comprehensive", STATION, OUTPOST, 1000, square),
                (G2, "G2", "南闸社区", "comprehensive", STATION, OUTPOST, 500, None),
                (G3, "G3", "三星中学", "dedicated", STATION, None, 900, None),
                (G4, "G4", "悦来社区", "comprehensive", OTHER_STATION, None, 800, square)])
        db.conn.executemany(
            "INSERT INTO chat_groups (id, name, grid_id, station_id, platform, owner_user_id, admin_name, admin_phone,"
            " member_count, is_name_standard, members_updated_at, created_on) VALUES (?, ?, ?, ?, 'wechat', ?, ?, ?, ?,"
            " ?, ?, '2025-01-01')", [
                (C1, "三星东桥社区警民联系群", G1, STATION, ZHANG, "陈网格", "13800000001", 300, 1, ago(3)),
                (C2, "三星中学家长互助群", G3, STATION, ZHANG, "周网格", "13800000002", 50, 0, ago(3)),
                (C3, "三星东桥社区二群", G1, STATION, LI, "吴网格", "13800000003", 100, 1, ago(3)),
                (C4, "悦来社区警民联系群", G4, OTHER_STATION, WANG, "郑网格", "13800000004", 200, 1, ago(3))])


def user(db, user_id: int) -> auth.User:
    return auth.get_user_by_id(db, user_id)


def push(db, *, category: str = "news", station_id: int | None = STATION, sent_days_ago: float = 1,
         groups: tuple[int, ...] = (C1,), delivered_days_ago: float | None = None, state: str = "confirmed") -> int:
    """A sent push and its deliveries (posted ``delivered_days_ago``, default when sent)."""
    sent = ago(sent_days_ago)
    delivered = ago(sent_days_ago if delivered_days_ago is None else delivered_days_ago)
    with write_transaction(db):
        push_id = db.execute(
            "INSERT INTO pushes (station_id, category, title, state, created_by, created_at, updated_at, sent_at)"
            " VALUES (?, ?, '推送', 'sent', ?, ?, ?, ?)", [station_id, category, ADMIN, sent, sent, sent]).lastrowid
        db.conn.executemany(
            "INSERT INTO deliveries (push_id, group_id, station_id, channel, state, sent_at, confirmed_at)"
            " VALUES (?, ?, (SELECT station_id FROM chat_groups WHERE id = ?), 'manual', ?, ?, ?)",
            [(push_id, g, g, state, delivered, delivered if state == "confirmed" else None) for g in groups])
    return push_id


_codes = iter(range(10**9, 2 * 10**9))


def tip(db, *, kind: str = "request", station_id: int = STATION, grid_id: int | None = G1,
        assignee: int | None = ZHANG, created_days_ago: float = 2, due_hours: float = 24,
        answered_hours: float | None = None, closed_days_ago: float | None = None, push_id: int | None = None,
        rating: int | None = None, public_reply: bool = False) -> int:
    """A tip created ``created_days_ago``, due ``due_hours`` later, first answered ``answered_hours`` after
    it came (None: never), closed ``closed_days_ago`` (None: open)."""
    created = NOW - timedelta(days=created_days_ago)
    values = {
        "tracking_code": f"T{next(_codes)}", "kind": kind, "description": "楼道里堆满杂物", "station_id": station_id,
        "grid_id": grid_id, "assignee_user_id": assignee, "created_at": stamp(created), "updated_at": stamp(created),
        "due_at": stamp(created + timedelta(hours=due_hours)), "push_id": push_id, "rating": rating,
        "first_response_at": None if answered_hours is None else stamp(created + timedelta(hours=answered_hours)),
        "closed_at": None if closed_days_ago is None else ago(closed_days_ago),
        "state": "new" if closed_days_ago is None else "resolved", "is_open": int(closed_days_ago is None)}
    with write_transaction(db):
        tip_id = db.execute(f"INSERT INTO tips ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
                            list(values.values())).lastrowid
        if public_reply:
            db.execute("INSERT INTO tip_events (tip_id, at, user_id, kind, is_public, text) VALUES (?, ?, ?, 'reply', 1,"
                       " '已处理')", [tip_id, values["closed_at"] or stamp(created), assignee])
    return tip_id


def situation(db, *, group_id: int = C1, created_days_ago: float = 1, deadline_hours: float = 4,
              acted_hours: float | None = 1) -> int:
    created = NOW - timedelta(days=created_days_ago)
    with write_transaction(db):
        return db.execute(
            "INSERT INTO online_situations (group_id, station_id, category, severity, posted_text, state,"
            " first_action_due_at, first_action_at, reported_by, created_at, updated_at)"
            " VALUES (?, (SELECT station_id FROM chat_groups WHERE id = ?), 'rumour', 'serious', '谣言', ?, ?, ?, ?,"
            " ?, ?)",
            [group_id, group_id, "reported" if acted_hours is None else "verifying",
             stamp(created + timedelta(hours=deadline_hours)),
             None if acted_hours is None else stamp(created + timedelta(hours=acted_hours)), ZHANG,
             stamp(created), stamp(created)]).lastrowid
