"""Account administration (#12): who may administer which account, temporary passwords that must be
changed at the first login, audit rows, and the last district admin."""

from __future__ import annotations

import pytest

from lib.core import accounts, auth
from lib.core.errors import NotFoundError, ScopeError, ValidationError
from tests.apptest import goto, login
from tests.conftest import DEMO_PASSWORD


def audit_rows(db, action: str) -> list[dict]:
    return [dict(r) for r in db.query("SELECT * FROM audit_log WHERE action = ? AND entity = 'users'", [action])]


def test_a_temporary_password_passes_the_strength_rule_and_avoids_lookalikes():
    for _ in range(200):
        password = accounts.temporary_password()
        assert len(password) == accounts.TEMP_LENGTH and auth.strong_enough(password) == password
        assert not set(password) & set("0oO1lI")


def test_a_new_account_logs_in_with_its_temporary_password_and_must_change_it(demo_db, users):
    admin = users["station_admin"]
    password = accounts.create_account(demo_db, admin, username="Wang01", name="王警官", role="clerk",
                                       unit_id=admin.station_id)
    made = auth.authenticate(demo_db, "wang01", password).user
    assert made and made.must_change_password and made.station_id == admin.station_id
    [row] = audit_rows(demo_db, "create")[-1:]
    assert row["user_id"] == admin.id
    assert password not in str(row)  # the audit never holds the password
    auth.change_password(demo_db, made, password, "my-own-passw0rd", "my-own-passw0rd")
    assert not auth.load_user(demo_db, "wang01").must_change_password


def test_a_station_admin_administers_only_the_clerks_of_the_station(demo_db, users):
    admin, clerk, other = users["station_admin"], users["clerk"], users["other_clerk"]
    listed = {r["username"]: r for r in accounts.list_accounts(demo_db, admin, with_records=True)}
    assert clerk.username in listed and listed[clerk.username]["can_manage"]
    assert other.username not in listed  # another station's clerk is not even listed
    logins = {r["username"] for r in accounts.list_accounts(demo_db, admin)}
    assert clerk.username in logins and all(r["can_log_in"] for r in accounts.list_accounts(demo_db, admin))
    assert len(logins) < len(listed)  # officers without a login are records, shown on request
    assert not listed[admin.username]["can_manage"]  # nor may they administer themselves or a peer
    assert {u["id"] for u in accounts.unit_choices(demo_db, admin)} >= {admin.station_id}
    assert all(u["kind"] != "district_center" for u in accounts.unit_choices(demo_db, admin))
    assert accounts.role_choices(admin) == ("clerk",)
    for refused in (
        lambda: accounts.reset_password(demo_db, admin, other.username),
        lambda: accounts.set_active(demo_db, admin, other.username, False),
        lambda: accounts.create_account(demo_db, admin, username="x1", name="某", role="station_admin",
                                        unit_id=admin.station_id),
        lambda: accounts.create_account(demo_db, admin, username="x2", name="某", role="clerk",
                                        unit_id=other.station_id),
        lambda: accounts.change_role(demo_db, admin, clerk.username, "clerk", admin.station_id),
    ):
        with pytest.raises(ScopeError):
            refused()
    with pytest.raises(ScopeError):
        accounts.list_accounts(demo_db, clerk)  # a clerk administers nobody
    assert demo_db.execute("SELECT is_active FROM users WHERE id = ?", [other.id]).fetchone()[0] == 1  # unchanged


def test_a_reset_ends_sessions_unlocks_and_asks_for_a_change(demo_db, users):
    admin, clerk = users["station_admin"], users["clerk"]
    for _ in range(auth.MAX_FAILURES):
        auth.authenticate(demo_db, clerk.username, "wrong-password")
    assert {r["username"]: r for r in accounts.list_accounts(demo_db, admin)}[clerk.username]["locked"]
    password = accounts.reset_password(demo_db, admin, clerk.username)
    assert auth.authenticate(demo_db, clerk.username, DEMO_PASSWORD).user is None
    fresh = auth.authenticate(demo_db, clerk.username, password).user
    assert fresh and fresh.must_change_password
    row = {r["username"]: r for r in accounts.list_accounts(demo_db, admin)}[clerk.username]
    assert not row["locked"] and row["must_change_password"]
    assert demo_db.execute("SELECT logged_out_at FROM users WHERE id = ?", [clerk.id]).fetchone()[0]
    assert audit_rows(demo_db, "reset_password")[-1]["user_id"] == admin.id


def test_disable_and_enable_and_nobody_disables_themselves(demo_db, users):
    admin, clerk = users["station_admin"], users["clerk"]
    accounts.set_active(demo_db, admin, clerk.username, False)
    assert auth.load_user(demo_db, clerk.username) is None
    assert {r["username"]: r for r in accounts.list_accounts(demo_db, admin)}[clerk.username]["is_active"] == 0
    accounts.set_active(demo_db, admin, clerk.username, True)
    assert auth.load_user(demo_db, clerk.username)
    with pytest.raises(ScopeError):  # a station admin is not a clerk: not theirs to administer
        accounts.set_active(demo_db, admin, admin.username, False)
    district = users["district_admin"]
    with pytest.raises(ValidationError):
        accounts.set_active(demo_db, district, district.username, False)


def test_a_district_admin_changes_role_and_unit_but_not_the_last_district_admin(demo_db, users):
    district, clerk, other = users["district_admin"], users["clerk"], users["other_clerk"]
    accounts.change_role(demo_db, district, clerk.username, "station_admin", other.station_id)
    moved = auth.load_user(demo_db, clerk.username)
    assert moved.role == "station_admin" and moved.station_id == other.station_id
    [row] = audit_rows(demo_db, "change_role")
    assert '"role": "clerk"' in row["before"] and '"role": "station_admin"' in row["after"]
    with pytest.raises(ValidationError) as refused:  # a district admin sits in the district center
        accounts.change_role(demo_db, district, clerk.username, "district_admin", other.station_id)
    assert refused.value.key == "error.role_unit_mismatch"
    with pytest.raises(ValidationError) as refused:
        accounts.change_role(demo_db, district, district.username, "clerk", other.station_id)
    assert refused.value.key == "error.last_district_admin"
    with pytest.raises(NotFoundError):
        accounts.change_role(demo_db, district, "nobody-here", "clerk", other.station_id)
    assert auth.load_user(demo_db, district.username).role == "district_admin"


def test_the_accounts_page_creates_an_account_and_shows_its_password_once(app, demo_path):
    at = goto(app("station"), "accounts").run()
    assert not at.exception
    assert "账户管理" in [t.value for t in at.title]
    at.text_input(key="accounts_new_username").input("li02")
    at.text_input(key="accounts_new_name").input("李警官")
    at.button(key="FormSubmitter:accounts_create-新建账户").click()
    at = at.run()
    assert not at.exception and not at.error
    [code] = [c.value for c in at.code]
    from lib.core.db import connect

    db = connect(demo_path)
    made = auth.authenticate(db, "li02", code).user
    assert made and made.must_change_password and made.name == "李警官"
    assert "li02" in at.dataframe[0].value.iloc[:, 0].tolist()
    at = at.run()  # shown once
    assert not at.code


def test_a_refused_new_account_keeps_what_was_typed(app):
    at = goto(app("station"), "accounts").run()
    at.text_input(key="accounts_new_username").input("station")  # taken
    at.text_input(key="accounts_new_name").input("重名")
    at.button(key="FormSubmitter:accounts_create-新建账户").click()
    at = at.run()
    assert at.error and not at.code
    assert at.text_input(key="accounts_new_username").value == "station"


def test_a_temporary_password_opens_only_my_account_until_it_is_changed(app, demo_path):
    from lib.core.db import connect

    db = connect(demo_path)
    admin = auth.load_user(db, "station")
    password = accounts.create_account(db, admin, username="zhao03", name="赵警官", role="clerk",
                                       unit_id=admin.station_id)
    at = login(app().run(), "zhao03", password)
    assert "管理员为您设置了临时密码" in " ".join(w.value for w in at.warning)
    at = goto(at, "triage").run()
    assert "线索研判" not in [t.value for t in at.title]  # every other address shows 我的账户
    at.text_input(key="account_current").input(password)
    at.text_input(key="account_new").input("zhao-passw0rd")
    at.text_input(key="account_repeat").input("zhao-passw0rd")
    at.button(key="FormSubmitter:account_password-修改密码").click()
    at = at.run()
    assert not at.exception and not at.error
    at = goto(at, "triage").run()
    assert "线索研判" in [t.value for t in at.title]


@pytest.mark.parametrize("weak", ["12345678", "abcdefgh", "        x"])
def test_every_way_of_setting_a_password_refuses_a_weak_one(demo_db, users, weak):
    """Not only the owner's own change: the command line's create and reset too (before, 8 characters
    of one kind passed there)."""
    with pytest.raises(ValidationError):
        auth.create_user(demo_db, None, username="weak1", name="弱", role="clerk",
                         unit_id=users["clerk"].unit_id, password=weak)
    with pytest.raises(ValidationError):
        auth.set_password(demo_db, None, "clerk", weak)
    assert auth.authenticate(demo_db, "clerk", DEMO_PASSWORD).user
