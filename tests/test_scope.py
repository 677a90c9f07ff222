"""Station scope, enforced in lib/: each role × each function × own / other station.

"Own" is the station of the demo's station admin and clerk (三星派出所); "other" is
another station. A district admin may do everything; station roles only their own.
"""

import pytest

from lib.core import audit, units
from lib.core.errors import NotFoundError, ScopeError
from lib.grids import coverage, grids, groups

ROLES = ["district_admin", "station_admin", "clerk"]


def _ids(db, station_id):
    grid = db.execute("SELECT id FROM grids WHERE station_id = ? ORDER BY id LIMIT 1", [station_id]).fetchone()[0]
    group = db.execute("SELECT id FROM chat_groups WHERE station_id = ? ORDER BY id LIMIT 1",
                       [station_id]).fetchone()[0]
    outpost = db.execute("SELECT id FROM units WHERE station_id = ? AND kind = 'outpost' LIMIT 1",
                         [station_id]).fetchone()[0]
    return {"grid": grid, "group": group, "outpost": outpost, "station": station_id}


@pytest.fixture
def stations(users, demo_db):
    own = users["clerk"].station_id
    other = users["other_clerk"].station_id
    assert own != other
    return {"own": _ids(demo_db, own), "other": _ids(demo_db, other)}


SINGLE_ROW_READS = {
    "get_grid": lambda db, u, ids: grids.get_grid(db, u, ids["grid"]),
    "get_group": lambda db, u, ids: groups.get_group(db, u, ids["group"]),
    "get_unit": lambda db, u, ids: units.get_unit(db, u, ids["outpost"]),
}
FILTERED_READS = {
    "list_grids": lambda db, u, ids: grids.list_grids(db, u, station_id=ids["station"]),
    "list_groups": lambda db, u, ids: groups.list_groups(db, u, station_id=ids["station"]),
    "list_outposts": lambda db, u, ids: units.list_outposts(db, u, station_id=ids["station"]),
    "scope_summary": lambda db, u, ids: coverage.scope_summary(db, u, station_id=ids["station"]),
}


def _allowed(role, target):
    return role == "district_admin" or target == "own"


@pytest.mark.parametrize("target", ["own", "other"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("fn", list(SINGLE_ROW_READS))
def test_single_row_reads(demo_db, users, stations, role, target, fn):
    call = SINGLE_ROW_READS[fn]
    if _allowed(role, target):
        row = call(demo_db, users[role], stations[target])
        assert row["station_id"] == stations[target]["station"]
    else:
        # Another station's row reads as "not found": ids cannot be probed.
        with pytest.raises(NotFoundError):
            call(demo_db, users[role], stations[target])


@pytest.mark.parametrize("target", ["own", "other"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("fn", list(FILTERED_READS))
def test_filtered_reads(demo_db, users, stations, role, target, fn):
    call = FILTERED_READS[fn]
    if _allowed(role, target):
        result = call(demo_db, users[role], stations[target])
        if isinstance(result, list):
            assert result and {r["station_id"] for r in result} == {stations[target]["station"]}
        else:
            assert result.grids > 0
    else:
        with pytest.raises(ScopeError):
            call(demo_db, users[role], stations[target])


@pytest.mark.parametrize("role", ROLES)
def test_unfiltered_lists_hold_only_the_users_stations(demo_db, users, role):
    user = users[role]
    seen_grids = {r["station_id"] for r in grids.list_grids(demo_db, user, limit=5000)}
    seen_groups = {r["station_id"] for r in groups.list_groups(demo_db, user, limit=5000)}
    seen_stations = {r["id"] for r in units.list_stations(demo_db, user)}
    table = {r["station_id"] for r in coverage.station_table(demo_db, user)}
    if role == "district_admin":
        assert len(seen_stations) == 17 and len(table) == 17 and len(seen_grids) > 1
    else:
        assert seen_grids == seen_groups == seen_stations == table == {user.station_id}


@pytest.mark.parametrize("target", ["own", "other"])
@pytest.mark.parametrize("role", ROLES)
def test_update_group(demo_db, users, stations, role, target):
    group_id = stations[target]["group"]
    if _allowed(role, target):
        after = groups.update_group(demo_db, users[role], group_id, {"admin_name": "新网格员"})
        assert after["admin_name"] == "新网格员"
    else:
        with pytest.raises(NotFoundError):
            groups.update_group(demo_db, users[role], group_id, {"admin_name": "越权"})
        assert demo_db.execute("SELECT admin_name FROM chat_groups WHERE id = ?",
                               [group_id]).fetchone()[0] != "越权"


def test_station_summary_counts_only_the_station(demo_db, users):
    district = coverage.scope_summary(demo_db, users["district_admin"])
    station = coverage.scope_summary(demo_db, users["clerk"])
    expected = demo_db.execute(
        "SELECT COUNT(*) FROM chat_groups WHERE status = 'active' AND station_id = ?",
        [users["clerk"].station_id],
    ).fetchone()[0]
    assert station.groups == expected
    assert 0 < station.groups < district.groups


@pytest.mark.parametrize("role", ["district_admin", "station_admin", "clerk"])
def test_audit_log_is_for_admins_each_seeing_their_scope(demo_db, users, stations, role):
    groups.update_group(demo_db, users["clerk"], stations["own"]["group"], {"admin_name": "乙"})
    groups.update_group(demo_db, users["other_clerk"], stations["other"]["group"], {"admin_name": "丙"})
    if role == "clerk":
        with pytest.raises(ScopeError):
            audit.list_entries(demo_db, users[role])
        return
    entries = audit.list_entries(demo_db, users[role], entity="chat_groups")
    assert entries
    by = {(e["username"], e["entity_id"]) for e in entries}
    own = (users["clerk"].username, str(stations["own"]["group"]))
    other = (users["other_clerk"].username, str(stations["other"]["group"]))
    assert by == ({own, other} if role == "district_admin" else {own})


def test_station_admin_sees_only_own_stations_audit(demo_db, users, stations):
    groups.update_group(demo_db, users["district_admin"], stations["other"]["group"], {"admin_name": "甲"})
    groups.update_group(demo_db, users["clerk"], stations["own"]["group"], {"admin_name": "乙"})
    seen = {e["username"] for e in audit.list_entries(demo_db, users["station_admin"], entity="chat_groups")}
    assert seen == {"clerk"}
    everyone = {e["username"] for e in audit.list_entries(demo_db, users["district_admin"], entity="chat_groups")}
    assert everyone == {"clerk", "district"}
