"""The group registry: filters and paging, add/edit validation, naming standard, masking."""

import pytest

from lib.core.errors import NotFoundError, ScopeError, ValidationError
from lib.grids import groups, naming


def _grid_of(db, station_id, category="comprehensive"):
    return db.execute("SELECT id, name FROM grids WHERE station_id = ? AND category = ? ORDER BY id LIMIT 1",
                      [station_id, category]).fetchone()


def _officer_of(db, station_id):
    return db.execute(
        "SELECT u.id FROM users u JOIN units un ON un.id = u.unit_id WHERE COALESCE(un.station_id, un.id) = ?"
        " AND u.password_hash IS NULL ORDER BY u.id LIMIT 1", [station_id]).fetchone()[0]


def _new_group(db, user, **over):
    grid_id, grid_name = _grid_of(db, user.station_id)
    values = {"name": f"新百千万·三星所·{grid_name}（9群）", "grid_id": grid_id, "platform": "wechat",
              "owner_user_id": _officer_of(db, user.station_id), "admin_name": "施网格",
              "admin_phone": "13912345678", "member_count": 120, "created_on": "2026-11-01"}
    values.update(over)
    return values


def test_first_page_and_total_match_the_database(demo_db, users):
    clerk = users["clerk"]
    page = groups.search_groups(demo_db, clerk, page_size=25)
    expected = demo_db.execute("SELECT COUNT(*) FROM chat_groups WHERE station_id = ? AND status = 'active'",
                               [clerk.station_id]).fetchone()[0]
    assert page.total == expected and len(page.rows) == 25 and page.pages == -(-expected // 25)
    last = groups.search_groups(demo_db, clerk, page=page.pages, page_size=25)
    assert len(last.rows) == expected - 25 * (page.pages - 1)
    beyond = groups.search_groups(demo_db, clerk, page=9999, page_size=25)
    assert beyond.page == page.pages  # clamped, never an empty page past the end


@pytest.mark.parametrize("field,column", [
    ("category", "g.category"), ("platform", "c.platform"), ("section_label", "g.section_label"),
])
def test_each_filter_narrows_to_matching_rows(demo_db, users, field, column):
    district = users["district_admin"]
    value = demo_db.execute(f"SELECT {column} FROM chat_groups c JOIN grids g ON g.id = c.grid_id"
                            f" WHERE c.status = 'active' AND {column} IS NOT NULL LIMIT 1").fetchone()[0]
    page = groups.search_groups(demo_db, district, groups.GroupFilter(**{field: value}), page_size=200)
    expected = demo_db.execute(f"SELECT COUNT(*) FROM chat_groups c JOIN grids g ON g.id = c.grid_id"
                               f" WHERE c.status = 'active' AND {column} = ?", [value]).fetchone()[0]
    assert page.total == expected > 0
    assert all(r[field] == value for r in page.rows)


def test_naming_filter_and_text_search(demo_db, users):
    clerk = users["clerk"]
    bad = groups.search_groups(demo_db, clerk, groups.GroupFilter(name_standard=False), page_size=200)
    assert bad.total > 0 and not any(naming.is_compliant(r["name"]) for r in bad.rows)
    some = bad.rows[0]["name"][:4]
    found = groups.search_groups(demo_db, clerk, groups.GroupFilter(text=some), page_size=200)
    assert any(r["id"] == bad.rows[0]["id"] for r in found.rows)
    # LIKE wildcards typed by a user are literal.
    assert groups.search_groups(demo_db, clerk, groups.GroupFilter(text="%")).total == 0


def test_clerk_cannot_filter_another_station(demo_db, users):
    with pytest.raises(ScopeError):
        groups.search_groups(demo_db, users["clerk"], groups.GroupFilter(station_id=users["other_clerk"].station_id))


def test_create_group_with_valid_fields(demo_db, users):
    clerk = users["clerk"]
    created = groups.create_group(demo_db, clerk, _new_group(demo_db, clerk))
    assert created["station_id"] == clerk.station_id and created["is_name_standard"] == 1
    grid = demo_db.execute("SELECT active_groups FROM grids WHERE id = ?", [created["grid_id"]]).fetchone()[0]
    assert grid >= 1  # the trigger counted it
    audit = demo_db.execute("SELECT action FROM audit_log WHERE entity = 'chat_groups' AND entity_id = ?",
                            [str(created["id"])]).fetchone()[0]
    assert audit == "create"


@pytest.mark.parametrize("override,field", [
    ({"name": "  "}, "name"),
    ({"member_count": -1}, "member_count"),
    ({"member_count": "many"}, "member_count"),
    ({"admin_name": ""}, "admin_name"),
    ({"admin_phone": "12345"}, "admin_phone"),
    ({"created_on": "03/05/2021"}, "created_on"),
    ({"platform": "qq"}, "platform"),
    ({"webhook_url": "javascript:alert(1)"}, "webhook_url"),
    ({"owner_user_id": 999999}, "owner_user_id"),
])
def test_bad_fields_are_refused_by_field_and_nothing_is_written(demo_db, users, override, field):
    clerk = users["clerk"]
    before = demo_db.execute("SELECT COUNT(*) FROM chat_groups").fetchone()[0]
    with pytest.raises(groups.FieldErrors) as info:
        groups.create_group(demo_db, clerk, _new_group(demo_db, clerk, **override))
    assert field in info.value.errors
    assert demo_db.execute("SELECT COUNT(*) FROM chat_groups").fetchone()[0] == before


def test_several_bad_fields_are_reported_together(demo_db, users):
    clerk = users["clerk"]
    with pytest.raises(groups.FieldErrors) as info:
        groups.create_group(demo_db, clerk, _new_group(demo_db, clerk, name="", admin_name="", member_count=-3))
    assert {"name", "admin_name", "member_count"} <= set(info.value.errors)


def test_owner_must_be_an_officer_of_the_grids_station(demo_db, users):
    clerk = users["clerk"]
    elsewhere = _officer_of(demo_db, users["other_clerk"].station_id)
    with pytest.raises(groups.FieldErrors) as info:
        groups.create_group(demo_db, clerk, _new_group(demo_db, clerk, owner_user_id=elsewhere))
    assert set(info.value.errors) == {"owner_user_id"}
    district_admin = users["district_admin"].id
    with pytest.raises(groups.FieldErrors):
        groups.create_group(demo_db, clerk, _new_group(demo_db, clerk, owner_user_id=district_admin))


def test_grid_of_another_station_is_refused(demo_db, users):
    clerk = users["clerk"]
    other_grid = _grid_of(demo_db, users["other_clerk"].station_id)[0]
    with pytest.raises(groups.FieldErrors) as info:
        groups.create_group(demo_db, clerk, _new_group(demo_db, clerk, grid_id=other_grid))
    assert "grid_id" in info.value.errors


def test_duplicate_name_is_refused(demo_db, users):
    clerk = users["clerk"]
    existing = groups.search_groups(demo_db, clerk).rows[0]["name"]
    with pytest.raises(groups.FieldErrors) as info:
        groups.create_group(demo_db, clerk, _new_group(demo_db, clerk, name=existing))
    assert "name" in info.value.errors


def test_update_changes_only_what_changed_and_keeps_counts_in_step(demo_db, users):
    clerk = users["clerk"]
    row = groups.search_groups(demo_db, clerk).rows[0]
    grid_before = demo_db.execute("SELECT active_members FROM grids WHERE id = ?", [row["grid_id"]]).fetchone()[0]
    groups.update_group(demo_db, clerk, row["id"], {"member_count": row["member_count"] + 10})
    grid_after = demo_db.execute("SELECT active_members FROM grids WHERE id = ?", [row["grid_id"]]).fetchone()[0]
    assert grid_after == grid_before + 10
    groups.update_group(demo_db, clerk, row["id"], {"status": "archived"})
    archived = demo_db.execute("SELECT active_members FROM grids WHERE id = ?", [row["grid_id"]]).fetchone()[0]
    assert archived == grid_after - row["member_count"] - 10


def test_unknown_field_is_refused(demo_db, users):
    row = groups.search_groups(demo_db, users["clerk"]).rows[0]
    with pytest.raises(ValidationError):
        groups.update_group(demo_db, users["clerk"], row["id"], {"station_id": 1})


def test_other_stations_group_cannot_be_read_or_renamed(demo_db, users):
    other = groups.search_groups(demo_db, users["district_admin"],
                                 groups.GroupFilter(station_id=users["other_clerk"].station_id)).rows[0]
    with pytest.raises(NotFoundError):
        groups.rename_to_standard(demo_db, users["clerk"], [other["id"]])


def test_webhook_is_stored_but_shown_masked(demo_db, users):
    clerk = users["clerk"]
    url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
    created = groups.create_group(demo_db, clerk, _new_group(demo_db, clerk, webhook_url=url, platform="wecom"))
    assert created["webhook_url"] == url
    masked = groups.mask_webhook(url)
    assert masked.endswith("key=****5aaa") and "693a91f6" not in masked


def test_proposed_names_are_standard_and_unique(demo_db, users):
    clerk = users["clerk"]
    rows = groups.list_nonstandard(demo_db, clerk)
    proposals = [r["proposed_name"] for r in rows]
    assert rows and all(naming.is_compliant(p) for p in proposals)
    assert len(set(proposals)) == len(proposals)
    assert all("三星所" in p for p in proposals)


def test_bulk_rename_is_one_audited_transaction(demo_db, users):
    clerk = users["clerk"]
    rows = groups.list_nonstandard(demo_db, clerk)
    renamed = groups.rename_to_standard(demo_db, clerk, [r["id"] for r in rows])
    assert renamed == len(rows)
    assert groups.search_groups(demo_db, clerk, groups.GroupFilter(name_standard=False, status=None)).total == \
        demo_db.execute("SELECT COUNT(*) FROM chat_groups WHERE station_id = ? AND is_name_standard = 0"
                        " AND status != 'active'", [clerk.station_id]).fetchone()[0]
    audits = demo_db.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'rename_standard'").fetchone()[0]
    assert audits == renamed


def test_officers_of_a_station(demo_db, users):
    officers = groups.list_officers(demo_db, users["clerk"], users["clerk"].station_id)
    assert len(officers) >= 8 and any(o["username"] == "clerk" for o in officers)
    with pytest.raises(NotFoundError):
        groups.list_officers(demo_db, users["clerk"], users["other_clerk"].station_id)


def test_moving_a_group_to_another_stations_grid_needs_an_owner_there(demo_db, users):
    district = users["district_admin"]
    row = groups.search_groups(demo_db, district, groups.GroupFilter(station_id=users["clerk"].station_id)).rows[0]
    other_grid = _grid_of(demo_db, users["other_clerk"].station_id)[0]
    with pytest.raises(groups.FieldErrors) as info:
        groups.update_group(demo_db, district, row["id"], {"grid_id": other_grid})
    assert set(info.value.errors) == {"owner_user_id"}
    owner = _officer_of(demo_db, users["other_clerk"].station_id)
    moved = groups.update_group(demo_db, district, row["id"], {"grid_id": other_grid, "owner_user_id": owner})
    assert moved["station_id"] == users["other_clerk"].station_id


@pytest.mark.parametrize("typed,stored", [
    ("051382123456", "0513-82123456"), ("0513-82123456", "0513-82123456"), ("02112345678", "021-12345678"),
    ("139 1234 5678", "13912345678"),
])
def test_phone_numbers_are_stored_in_one_form(demo_db, users, typed, stored):
    row = groups.search_groups(demo_db, users["clerk"]).rows[0]
    assert groups.update_group(demo_db, users["clerk"], row["id"], {"admin_phone": typed})["admin_phone"] == stored


def test_a_new_group_is_offered_the_next_free_standard_name(demo_db, users):
    clerk = users["clerk"]
    grid_id, grid_name = _grid_of(demo_db, clerk.station_id)
    existing = demo_db.execute("SELECT COUNT(*) FROM chat_groups WHERE grid_id = ?", [grid_id]).fetchone()[0]
    name = groups.next_standard_name(demo_db, clerk, grid_id)
    assert naming.is_compliant(name) and grid_name in name
    assert demo_db.execute("SELECT 1 FROM chat_groups WHERE name = ?", [name]).fetchone() is None
    assert name.endswith(f"（{existing + 1}群）") or existing == 0
