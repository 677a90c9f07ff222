"""Accounts, passwords, lockout with a time window, cookie revocation."""

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from lib.core import auth
from lib.core.db import connect
from lib.core.errors import ScopeError, ValidationError
from tests.conftest import DEMO_PASSWORD

KEY = "k" * 48


def make_cookie(username, *, issued=None, days=7.0, key=KEY):
    issued = issued or datetime.now(UTC)
    exp = (issued + timedelta(days=days)).timestamp()
    return jwt.encode({"username": username, "exp_date": exp}, key, algorithm="HS256")


def test_demo_users_log_in_with_their_role_and_station(demo_db):
    result = auth.authenticate(demo_db, "clerk", DEMO_PASSWORD)
    assert result.user is not None
    assert result.user.role == "clerk"
    assert result.user.unit_name == "三星派出所"
    assert result.user.station_id == result.user.unit_id
    district = auth.authenticate(demo_db, "district", DEMO_PASSWORD).user
    assert district.is_district and district.station_id is None


def test_username_is_case_insensitive_and_password_is_stripped(demo_db):
    assert auth.authenticate(demo_db, "  CLERK ", f"  {DEMO_PASSWORD}  ").user is not None


def test_unknown_user_and_wrong_password_read_the_same(demo_db):
    unknown = auth.authenticate(demo_db, "nobody", "whatever-pass")
    wrong = auth.authenticate(demo_db, "clerk", "wrong-password")
    assert unknown.user is None and wrong.user is None
    assert unknown.message_key == wrong.message_key == "login.failed"


def test_officer_without_password_cannot_log_in(demo_db):
    officer = demo_db.execute("SELECT username FROM users WHERE password_hash IS NULL LIMIT 1").fetchone()[0]
    assert auth.authenticate(demo_db, officer, "").message_key == "login.missing"
    assert auth.authenticate(demo_db, officer, "anything-at-all").message_key == "login.failed"


def test_disabled_user_cannot_log_in(demo_db):
    auth.set_active(demo_db, None, "clerk", False)
    assert auth.authenticate(demo_db, "clerk", DEMO_PASSWORD).message_key == "login.failed"


def test_five_failures_lock_the_account_even_for_the_right_password(demo_db):
    now = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    for k in range(auth.MAX_FAILURES):
        result = auth.authenticate(demo_db, "station", "wrong-password", now + timedelta(seconds=k))
    assert result.message_key == "login.locked"
    locked = auth.authenticate(demo_db, "station", DEMO_PASSWORD, now + timedelta(minutes=1))
    assert locked.user is None and locked.message_key == "login.locked"
    # The lock runs from the fifth failure (4 s after the first), not from the first.
    assert locked.locked_until == now + timedelta(seconds=auth.MAX_FAILURES - 1) + auth.LOCK_WINDOW


def test_four_failures_do_not_lock(demo_db):
    now = datetime.now(UTC)
    for _ in range(auth.MAX_FAILURES - 1):
        auth.authenticate(demo_db, "station", "wrong-password", now)
    assert auth.authenticate(demo_db, "station", DEMO_PASSWORD, now).user is not None


def test_lockout_survives_a_restart_and_ends_after_its_window(demo_path):
    now = datetime.now(UTC)
    db = connect(demo_path)
    for _ in range(auth.MAX_FAILURES):
        auth.authenticate(db, "station", "wrong-password", now)
    db.close()
    restarted = connect(demo_path)  # a new process would open a new connection
    assert auth.authenticate(restarted, "station", DEMO_PASSWORD, now).message_key == "login.locked"
    later = now + auth.LOCK_WINDOW + timedelta(seconds=1)
    assert auth.authenticate(restarted, "station", DEMO_PASSWORD, later).user is not None


def test_lockout_is_per_user(demo_db):
    now = datetime.now(UTC)
    for _ in range(auth.MAX_FAILURES):
        auth.authenticate(demo_db, "station", "wrong-password", now)
    locked = auth.authenticate(demo_db, "station", DEMO_PASSWORD, now)  # the right password, too late
    assert locked.user is None and locked.message_key == "login.locked"
    assert auth.authenticate(demo_db, "clerk", DEMO_PASSWORD, now).user is not None


def test_valid_cookie_logs_in(demo_db):
    user = auth.cookie_user(demo_db, make_cookie("clerk"), KEY, 7)
    assert user is not None and user.username == "clerk"


@pytest.mark.parametrize(
    "token",
    [
        make_cookie("clerk", key="x" * 48),  # bad signature
        make_cookie("clerk", issued=datetime.now(UTC) - timedelta(days=8)),  # expired
        make_cookie("nobody"),  # unknown user
        "not-a-jwt",
        None,
    ],
    ids=["bad-signature", "expired", "unknown-user", "garbage", "none"],
)
def test_invalid_cookies_are_refused(demo_db, token):
    assert auth.cookie_user(demo_db, token, KEY, 7) is None


def test_cookie_issued_before_logout_is_refused(demo_db):
    clerk = auth.load_user(demo_db, "clerk")
    before = make_cookie("clerk", issued=datetime.now(UTC) - timedelta(seconds=5))
    assert auth.cookie_user(demo_db, before, KEY, 7) is not None
    auth.record_logout(demo_db, clerk)
    assert auth.cookie_user(demo_db, before, KEY, 7) is None
    after = make_cookie("clerk", issued=datetime.now(UTC) + timedelta(seconds=1))
    assert auth.cookie_user(demo_db, after, KEY, 7) is not None


def test_cookie_of_deleted_or_disabled_user_is_refused(demo_db):
    token = make_cookie("clerk")
    auth.set_active(demo_db, None, "clerk", False)
    assert auth.cookie_user(demo_db, token, KEY, 7) is None
    # A user deleted behind the portal's back (rows still pointing at them are beside the point).
    demo_db.execute("PRAGMA foreign_keys = OFF")
    demo_db.execute("DELETE FROM users WHERE username = 'clerk'")
    demo_db.execute("PRAGMA foreign_keys = ON")
    assert auth.cookie_user(demo_db, token, KEY, 7) is None


def test_reset_password_ends_sessions_and_clears_lockout(demo_db):
    token = make_cookie("clerk", issued=datetime.now(UTC) - timedelta(seconds=2))
    for _ in range(auth.MAX_FAILURES):
        auth.authenticate(demo_db, "clerk", "wrong-password")
    auth.set_password(demo_db, None, "clerk", "a-new-password")
    assert auth.cookie_user(demo_db, token, KEY, 7) is None
    assert auth.authenticate(demo_db, "clerk", "a-new-password").user is not None


def test_credentials_hold_only_users_who_may_log_in(demo_db):
    creds = auth.credentials(demo_db)["usernames"]
    assert set(creds) == {"district", "station", "clerk"}
    assert creds["clerk"]["roles"] == ["clerk"]
    assert creds["clerk"]["password"].startswith("$2")


@pytest.mark.parametrize("password", ["short", "       ", "x" * 73])
def test_weak_or_overlong_passwords_are_refused(demo_db, password):
    with pytest.raises(ValidationError):
        auth.create_user(demo_db, None, username="newbie", name="新人", role="clerk",
                         unit_id=auth.load_user(demo_db, "clerk").unit_id, password=password)


def test_station_admin_creates_clerks_of_own_station_only(demo_db, users):
    admin = users["station_admin"]
    created = auth.create_user(demo_db, admin, username="NewClerk", name="新民警", role="clerk",
                               unit_id=admin.station_id, password="good-password")
    assert created.username == "newclerk" and created.station_id == admin.station_id
    with pytest.raises(ScopeError):
        auth.create_user(demo_db, admin, username="elsewhere", name="他所", role="clerk",
                         unit_id=users["other_clerk"].station_id, password="good-password")
    with pytest.raises(ScopeError):
        auth.create_user(demo_db, admin, username="boss", name="所长", role="station_admin",
                         unit_id=admin.station_id, password="good-password")


def test_clerk_cannot_create_users(demo_db, users):
    with pytest.raises(ScopeError):
        auth.create_user(demo_db, users["clerk"], username="x1", name="x", role="clerk",
                         unit_id=users["clerk"].station_id, password="good-password")


def test_role_must_fit_the_unit(demo_db):
    with pytest.raises(ValidationError):
        auth.create_user(demo_db, None, username="wrong", name="x", role="district_admin",
                         unit_id=auth.load_user(demo_db, "clerk").unit_id, password="good-password")


def test_duplicate_username_is_refused_and_nothing_is_written(demo_db):
    before = demo_db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
    with pytest.raises(ValidationError) as info:
        auth.create_user(demo_db, None, username="Clerk", name="x", role="clerk",
                         unit_id=auth.load_user(demo_db, "clerk").unit_id, password="good-password")
    assert info.value.key == "error.username_taken"
    assert demo_db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0] == before


def test_login_and_logout_are_audited(demo_db):
    before = demo_db.execute("SELECT MAX(id) FROM audit_log").fetchone()[0]  # the demo's own work of the clerk
    user = auth.authenticate(demo_db, "clerk", DEMO_PASSWORD).user
    auth.record_logout(demo_db, user)
    actions = [r[0] for r in demo_db.execute(
        "SELECT action FROM audit_log WHERE user_id = ? AND id > ? ORDER BY id", [user.id, before])]
    assert actions == ["login", "logout"]
