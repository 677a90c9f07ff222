"""The demo district's duty records (issue #15): when each group's member count was last confirmed, a
year of online situations (网情) with their handling, and the checklist's problems as a district that
has used the portal for a while would have them — some being fixed, some explained, some overdue
and escalated.

Member counts: most stations confirm theirs monthly (within 0–40 days); the two lagging stations
(包场, 海永) let a third of theirs go stale. Situations: about one per 40 groups a year, rumours and
brewing conflicts first, most acted on within their deadline; the latest few are still open."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import sqlite_utils

from lib.core.clock import parse, stamp
from lib.duty import problems, snapshots
from lib.duty.online_situations import FIRST_ACTION_HOURS

LAGGING = ("包场派出所", "海永派出所")
SITUATIONS_PER_GROUP = 1 / 40
SITUATIONS = (
    ("rumour", "general", "群里转发“明天起电动车没有牌照一律扣车罚款”的消息，不少人在问是不是真的。"),
    ("rumour", "serious", "有人发语音说“小区水源被污染，千万别喝自来水”，群里开始有人去超市抢购矿泉水。"),
    ("rumour", "severe", "群内流传“某小学门口有人抢孩子”的视频，经初步核查视频为外地旧闻，家长情绪紧张。"),
    ("harmful", "general", "群成员连续发送网络赌博推广链接，自称“稳赚不赔”，被其他成员举报。"),
    ("illegal", "serious", "有人在群里兜售“免考驾照”“代办征信修复”，并留下收款二维码。"),
    ("conflict", "serious", "两户邻居因楼道堆放杂物在群里相互指责，言语激烈，扬言“晚上见面说”。"),
    ("conflict", "general", "业主对物业停车收费调整不满，群里有人号召周末到物业办公室“讨说法”。"),
    ("disorder", "general", "群内大量发布商业广告和拼单链接，正常的通知被刷屏淹没。"),
    ("opinion_risk", "serious", "有人发帖称“派出所对报警不理不睬”，配图是模糊的聊天截图，转发较多。"),
    ("opinion_risk", "general", "拆迁补偿标准的传言在群内发酵，多人询问是否属实。"),
)
HANDLING = {"rumour": "rebuttal", "harmful": "content_removed", "illegal": "case", "conflict": "referred",
            "disorder": "member_removed", "opinion_risk": "rebuttal"}
NOTES = {"rebuttal": "已核实为不实信息，在群内发布辟谣说明并提醒不信谣不传谣。",
         "content_removed": "已联系群主删除相关内容，并在群内提醒遵守群规。",
         "member_removed": "已将发布违规内容的成员移出群聊，群内重申群规。",
         "referred": "已转社区网格员和司法所联合调处，双方当面沟通。",
         "case": "已固定证据，移交刑侦中队立案调查。"}


def _epoch(text: str) -> float:
    return parse(text).timestamp()


def _member_counts(db, rng: random.Random, now: datetime) -> None:
    lagging = {r[0] for r in db.execute(
        f"SELECT id FROM units WHERE kind = 'station' AND name IN ({', '.join('?' * len(LAGGING))})", LAGGING)}
    rows = []
    for group_id, station_id in db.execute("SELECT id, station_id FROM chat_groups ORDER BY id").fetchall():
        stale = station_id in lagging and rng.random() < 0.35 or rng.random() < 0.01
        days = rng.uniform(35, 150) if stale else rng.uniform(0, 29)
        rows.append((stamp(now - timedelta(days=days)), group_id))
    db.conn.executemany("UPDATE chat_groups SET members_updated_at = ? WHERE id = ?", rows)


def _situations(db, rng: random.Random, now: datetime) -> int:
    groups = db.execute("SELECT c.id, c.station_id, c.owner_user_id FROM chat_groups c WHERE c.status = 'active'"
                        " AND c.owner_user_id IS NOT NULL ORDER BY c.id").fetchall()
    admins = {sid: problems.station_admins(db, sid) for sid in {g[1] for g in groups}}
    n = max(12, round(len(groups) * SITUATIONS_PER_GROUP))
    rows = []
    for k in range(n):
        group_id, station_id, owner = rng.choice(groups)
        category, severity, text = rng.choice(SITUATIONS)
        recent = k >= n - 6  # the latest few are still being handled
        logged = now - timedelta(hours=rng.uniform(0.3, 30)) if recent else now - timedelta(days=rng.uniform(2, 360))
        posted = logged - timedelta(minutes=rng.randint(5, 180))
        due = logged + timedelta(hours=FIRST_ACTION_HOURS[severity])
        late = rng.random() < 0.1
        acted = logged + timedelta(hours=FIRST_ACTION_HOURS[severity] * (rng.uniform(1.1, 3) if late else rng.uniform(0.1, 0.9)))
        handling = HANDLING[category]
        row = {"group_id": group_id, "station_id": station_id, "category": category, "severity": severity,
               "posted_text": text, "posted_at": stamp(posted), "reported_by": owner,
               "first_action_due_at": stamp(due), "needs_sign_off": int(severity == "severe"),
               "created_at": stamp(logged)}
        if recent and k % 2 == 0:
            row.update(state="reported", is_open=1, updated_at=stamp(logged))
        elif recent:
            row.update(state="verifying", is_open=1, first_action_at=stamp(min(acted, now)),
                       updated_at=stamp(min(acted, now)))
        else:
            closed = acted + timedelta(hours=rng.uniform(2, 48))
            row.update(state="closed", is_open=0, first_action_at=stamp(acted), handling=handling,
                       handling_note=NOTES[handling], closed_at=stamp(closed), updated_at=stamp(closed))
            if severity == "severe" and admins.get(station_id):
                row.update(signed_off_by=admins[station_id][0], signed_off_at=stamp(closed - timedelta(minutes=30)))
        rows.append(row)
    columns = sorted({c for r in rows for c in r})
    db.conn.executemany(f"INSERT INTO online_situations ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                        [[r.get(c) for c in columns] for r in sorted(rows, key=lambda r: r["created_at"])])
    return len(rows)


def _problem_history(db, rng: random.Random, now: datetime) -> None:
    """Some problems were raised weeks ago: a few are being fixed, a few explained, and those left past
    their due date are escalated — as the worker would have done."""
    rows = db.execute("SELECT id, owner_user_id, station_id, due_at, created_at FROM duty_problems"
                      " WHERE is_open = 1 ORDER BY id").fetchall()
    for problem_id, owner, station_id, due, created in rows:
        roll = rng.random()
        if roll < 0.25:
            days = rng.uniform(5, 25)
            moved = {"created_at": stamp(parse(created) - timedelta(days=days)),
                     "due_at": stamp(parse(due) - timedelta(days=days))}
            db.execute("UPDATE duty_problems SET created_at = ?, due_at = ?, updated_at = ? WHERE id = ?",
                       [moved["created_at"], moved["due_at"], moved["created_at"], problem_id])
        elif roll < 0.4:
            db.execute("UPDATE duty_problems SET state = 'rectifying', version = version + 1 WHERE id = ?",
                       [problem_id])
        elif roll < 0.45:
            admin = next(iter(problems.station_admins(db, station_id)), None)
            db.execute("UPDATE duty_problems SET state = 'explained', is_open = 0, explanation = ?, explained_by = ?,"
                       " explained_at = ?, accepted_by = ?, closed_at = ?, version = version + 1 WHERE id = ?",
                       ["该网格居民已整体拆迁安置，群已转为安置小区群，台账待区里统一调整。", owner, stamp(now),
                        admin, stamp(now), problem_id])
    problems.escalate(db, now=now)
    # The district has been working these for weeks: their notices were read long ago.
    db.execute("UPDATE notices SET seen_at = ? WHERE entity = 'duty_problems' AND seen_at IS NULL", [stamp(now)])


def generate_demo(db: sqlite_utils.Database, *, seed: int, now: str) -> dict:
    """Write the duty records into the demo district (inside the seeding transaction)."""
    rng = random.Random(seed * 31 + 15)
    moment = datetime.fromtimestamp(_epoch(now), UTC)
    _member_counts(db, rng, moment)
    situations = _situations(db, rng, moment)
    taken = snapshots.take(db, now=moment)
    _problem_history(db, rng, moment)
    return {"online_situations": situations, "duty_problems": taken["raised"]}
