"""Every write records who, when, what, before and after — in the write's transaction."""

import json

import pytest

from lib.core import audit
from lib.core.db import write_transaction
from lib.core.errors import ValidationError
from lib.grids import groups


def _group_of(db, user):
    return db.execute("SELECT id, admin_name FROM chat_groups WHERE station_id = ? LIMIT 1",
                      [user.station_id]).fetchone()


def test_update_records_before_and_after(demo_db, users):
    clerk = users["clerk"]
    group_id, old_name = _group_of(demo_db, clerk)
    groups.update_group(demo_db, clerk, group_id, {"admin_name": "顾新"})
    row = demo_db.execute(
        "SELECT * FROM audit_log WHERE entity = 'chat_groups' AND entity_id = ? ORDER BY id DESC LIMIT 1",
        [str(group_id)],
    ).fetchone()
    entry = dict(zip([d[0] for d in demo_db.execute("SELECT * FROM audit_log LIMIT 0").description], row,
                     strict=True))
    assert entry["user_id"] == clerk.id and entry["username"] == "clerk"
    assert entry["action"] == "update"
    assert json.loads(entry["before"]) == {"admin_name": old_name}
    assert json.loads(entry["after"]) == {"admin_name": "顾新"}
    assert entry["at"].endswith("Z")


def test_refused_write_leaves_neither_change_nor_audit_row(demo_db, users):
    clerk = users["clerk"]
    group_id, _ = _group_of(demo_db, clerk)
    before = demo_db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
    with pytest.raises(ValidationError):
        groups.update_group(demo_db, clerk, group_id, {"member_count": -5})
    owner_elsewhere = users["other_clerk"].id
    with pytest.raises(ValidationError):
        groups.update_group(demo_db, clerk, group_id, {"owner_user_id": owner_elsewhere})
    assert demo_db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0] == before


def test_change_is_rolled_back_when_its_audit_row_fails(demo_db, users, monkeypatch):
    clerk = users["clerk"]
    group_id, old_name = _group_of(demo_db, clerk)

    def failing_record(*args, **kwargs):
        raise RuntimeError("audit storage failed")

    monkeypatch.setattr(audit, "record", failing_record)
    with pytest.raises(RuntimeError):
        groups.update_group(demo_db, clerk, group_id, {"admin_name": "不应保存"})
    assert demo_db.execute("SELECT admin_name FROM chat_groups WHERE id = ?", [group_id]).fetchone()[0] == old_name


def test_audit_record_refuses_to_run_outside_a_transaction(demo_db, users):
    with pytest.raises(RuntimeError):
        audit.record(demo_db, users["clerk"], "update", "chat_groups", 1)
    with write_transaction(demo_db):
        audit.record(demo_db, users["clerk"], "note", "chat_groups", 1)
