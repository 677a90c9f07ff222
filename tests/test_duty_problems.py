"""The problem list (查纠整改): raised by a missed item, verified only when its figure is met on
recomputation, explained only with the station admin's acceptance, escalated when overdue; the
linkage center's inspection findings; scope."""

from datetime import timedelta

import pytest

from lib.core import notices
from lib.core.db import write_transaction
from lib.core.errors import FieldErrors, NotFoundError, ScopeError
from lib.core.workflow import InvalidTransition, StaleEdit
from lib.duty import problems, snapshots
from tests import duty_world as w
from tests.duty_world import NOW
from tests.factories import jpeg

LATER = NOW + timedelta(days=1)  # Tuesday: Monday 2026-11-30 has ended


@pytest.fixture
def db(fresh_db):
    w.build(fresh_db)
    snapshots.take(fresh_db, now=LATER)
    return fresh_db


def silent_problem(db, officer: int = w.ZHANG) -> dict:
    row = db.execute("SELECT id FROM duty_problems WHERE code = 'management.silent_groups' AND subject_id = ?"
                     " AND is_open = 1", [officer]).fetchone()
    return problems.get_problem(db, w.user(db, w.DISTRICT), row[0])


def test_a_missed_item_raises_a_problem_owned_by_its_officer_with_a_due_date(db):
    problem = silent_problem(db)
    assert (problem["state"], problem["owner_user_id"], problem["station_id"]) == ("open", w.ZHANG, w.STATION)
    assert problem["due_at"] == "2026-12-04T04:00:00Z"  # raised Tuesday 12:00, fixed within 3 days
    assert problem["subject_name"] == "张警官" and problem["title"] == "没有超过30天未推送资讯的群"
    assert [n["kind"] for n in notices.unseen(db, w.user(db, w.ZHANG))] == ["problem_raised"]
    station_level = db.execute("SELECT owner_user_id FROM duty_problems WHERE subject_kind = 'station'"
                               " AND station_id = ?", [w.STATION]).fetchall()
    assert station_level and {r[0] for r in station_level} == {w.ADMIN}


def test_verified_is_refused_while_the_figure_misses_and_comes_by_itself_once_fixed(db):
    zhang = w.user(db, w.ZHANG)
    problem = silent_problem(db)
    with pytest.raises(problems.StillMissing) as refused:
        problems.verify(db, zhang, problem["id"], problem["version"], now=LATER)
    assert refused.value.params == {"value": 2.0, "threshold": 0.0}
    assert problems.recheck(db, zhang, problem["id"], now=LATER)["checked_value"] == 2.0
    w.push(db, sent_days_ago=-0.5, groups=(w.C1, w.C2))  # Tuesday morning: both his groups get a push
    assert problems.recheck_open(db, station_id=w.STATION, now=LATER) >= 1
    done = problems.get_problem(db, zhang, problem["id"])
    assert (done["state"], done["is_open"], done["checked_value"]) == ("verified", 0, 0.0)
    assert db.execute("SELECT user_id FROM audit_log WHERE entity = 'duty_problems' AND entity_id = ?"
                      " AND action = 'verified'", [str(problem["id"])]).fetchone()[0] is None  # the system


def test_a_clerks_explanation_waits_for_the_station_admin(db):
    zhang, admin = w.user(db, w.ZHANG), w.user(db, w.ADMIN)
    problem = silent_problem(db)
    proposed = problems.propose_explanation(db, zhang, problem["id"], problem["version"], "该群已并入社区大群，待台账注销。")
    assert proposed["is_open"] == 1 and proposed["explanation"]
    assert [n["kind"] for n in notices.unseen(db, admin)][-1] == "problem_explained"
    with pytest.raises(ScopeError):
        problems.decide_explanation(db, zhang, problem["id"], proposed["version"], True)
    declined = problems.decide_explanation(db, admin, problem["id"], proposed["version"], False)
    assert declined["is_open"] == 1 and declined["explanation"] is None
    again = problems.propose_explanation(db, zhang, problem["id"], declined["version"], "群已解散。")
    closed = problems.decide_explanation(db, admin, problem["id"], again["version"], True)
    assert (closed["state"], closed["accepted_by"]) == ("explained", w.ADMIN)
    with pytest.raises(InvalidTransition):
        problems.start_rectifying(db, zhang, problem["id"], closed["version"], "整改")


def test_rectifying_needs_a_note_the_owner_and_the_version_read(db):
    zhang, li = w.user(db, w.ZHANG), w.user(db, w.LI)
    problem = silent_problem(db)
    with pytest.raises(Exception, match="duty.error.text_missing"):
        problems.start_rectifying(db, zhang, problem["id"], problem["version"], "  ")
    with pytest.raises(ScopeError):
        problems.start_rectifying(db, li, problem["id"], problem["version"], "我来")
    moved = problems.start_rectifying(db, zhang, problem["id"], problem["version"], "本周向两个群推送防范提示")
    assert moved["state"] == "rectifying"
    with pytest.raises(StaleEdit):
        problems.start_rectifying(db, zhang, problem["id"], problem["version"], "再来一次")


def test_overdue_problems_escalate_once_to_the_linkage_center(db):
    assert problems.escalate(db, now=LATER) == 0
    week_later = LATER + timedelta(days=8)
    count = problems.escalate(db, now=week_later)
    assert count > 0 and problems.escalate(db, now=week_later) == 0
    district = w.user(db, w.DISTRICT)
    assert problems.counts(db, district, now=week_later)["escalated"] == count
    escalated = problems.list_problems(db, district, escalated=True, page_size=100)
    assert escalated.total == count and all(r["escalated_at"] for r in escalated.rows)
    assert [n["data"]["count"] for n in notices.unseen(db, district)] == [count]


def test_the_linkage_center_logs_an_inspection_finding_with_a_photo(db):
    district = w.user(db, w.DISTRICT)
    made = problems.raise_inspection(db, district, station_id=w.STATION, area="management", title="群公告未更新",
                                     detail="抽查东桥社区群，群公告仍为去年内容。", days=7, photo=jpeg(gps=True), now=NOW)
    assert (made["source"], made["owner_user_id"], made["subject_kind"]) == ("inspection", w.ADMIN, "station")
    assert made["file_id"] and made["due_at"] == "2026-12-07T04:00:00Z"
    # The station admin cannot close a finding by "verified"; the district (its inspector) does.
    with pytest.raises(ScopeError):
        problems.verify(db, w.user(db, w.ADMIN), made["id"], made["version"])
    assert problems.verify(db, district, made["id"], made["version"])["state"] == "verified"


def test_an_inspection_with_bad_fields_is_refused_whole(db):
    district = w.user(db, w.DISTRICT)
    before = db.execute("SELECT COUNT(*) FROM duty_problems").fetchone()[0]
    with pytest.raises(FieldErrors) as refused:
        problems.raise_inspection(db, district, station_id=999, area="weather", title="", days=5, photo=b"not an image")
    assert set(refused.value.errors) == {"station_id", "area", "title", "days", "photo"}
    assert db.execute("SELECT COUNT(*) FROM duty_problems").fetchone()[0] == before
    with pytest.raises(ScopeError):
        problems.raise_inspection(db, w.user(db, w.ADMIN), station_id=w.STATION, area="management", title="x")


def test_another_stations_problem_reads_as_not_found(db):
    problem = silent_problem(db)
    with pytest.raises(NotFoundError):
        problems.get_problem(db, w.user(db, w.WANG), problem["id"])
    assert problems.list_problems(db, w.user(db, w.WANG)).rows == [] or all(
        r["station_id"] == w.OTHER_STATION for r in problems.list_problems(db, w.user(db, w.WANG)).rows)


def test_opening_the_list_rechecks_the_stations_problems(db):
    problem = silent_problem(db, w.LI)
    w.push(db, sent_days_ago=-0.5, groups=(w.C3,))
    assert problems.refresh(db, w.user(db, w.LI), now=LATER) >= 1
    assert problems.get_problem(db, w.user(db, w.LI), problem["id"])["state"] == "verified"
    assert problems.refresh(db, w.user(db, w.DISTRICT), now=LATER) == 0  # the district's: the worker's minute


def test_an_inspection_photo_outlives_the_same_image_purged_from_a_tip(db):
    from lib.core import files

    photo = jpeg(color=(10, 120, 40))
    made = problems.raise_inspection(db, w.user(db, w.DISTRICT), station_id=w.STATION, area="management",
                                     title="群公告未更新", photo=photo, now=NOW)
    # The same picture sent with a tip is the same stored file (by content); the tip's photos are erased.
    with write_transaction(db):
        db.execute("INSERT INTO tip_photos (tip_id, file_id) VALUES (?, ?)", [w.tip(db), made["file_id"]])
    with write_transaction(db):
        db.execute("DELETE FROM tip_photos WHERE file_id = ?", [made["file_id"]])
        assert files.delete_unused(db, [made["file_id"]]) == []
    assert db.execute("SELECT 1 FROM files WHERE id = ?", [made["file_id"]]).fetchone()
