"""Retention (保存期限): what senders gave is erased some years after their tip is closed, as the
public form's consent text promises; the tip row, its history and the statistics stay."""

from datetime import UTC, datetime

import pytest

from lib import cli
from lib.core import files
from lib.core.errors import PortalError
from lib.tips import retention, tips
from tests.factories import TIP_TEXT, grid_center, jpeg, make_tip, station_grid


@pytest.fixture(autouse=True)
def _uploads(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_UPLOADS", str(tmp_path / "uploads"))
    monkeypatch.delenv("PORTAL_TIP_RETENTION_YEARS", raising=False)


def _closed_tip(db, users, **over) -> dict:
    """A tip with a photo and the sender's contact, rejected (closed) by its station's clerk now."""
    lat, lon = grid_center(db, station_grid(db, users["clerk"]))
    made = make_tip(db, kind="lead", lat=lat, lon=lon, location_text="三星镇汽车站东侧", happened_at="2026-11-27 20:30",
                    is_anonymous=False, contact_name="王先生", contact_phone="13800138000", photos=(jpeg(gps=True),),
                    **over)
    tip = tips.get_tip(db, users["clerk"], made["id"])
    return tips.move(db, users["clerk"], tip["id"], tip["version"], "reject", reason="非警务事项")


def _years_after(stamp: str, years: int, days: int = 0) -> str:
    moment = datetime.fromisoformat(stamp).astimezone(UTC)
    later = moment.replace(year=moment.year + years)
    return datetime.fromtimestamp(later.timestamp() + days * 86400, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _row(db, tip_id) -> dict:
    return next(db.query("SELECT * FROM tips WHERE id = ?", [tip_id]))


def test_a_tip_closed_longer_ago_than_the_period_loses_what_its_sender_gave(demo_db, users):
    tip = _closed_tip(demo_db, users)
    file_id = tips.photo_ids(demo_db, users["clerk"], tip["id"])[0]
    path = files.uploads_dir() / demo_db.execute("SELECT path FROM files WHERE id = ?", [file_id]).fetchone()[0]
    assert path.exists()

    done = retention.erase_expired_tips(demo_db, now=_years_after(tip["closed_at"], 3, days=1))

    assert done == {"tips": 1, "files": 1}
    row = _row(demo_db, tip["id"])
    assert row["description"] == "" and row["erased_at"]
    assert [row[k] for k in ("location_text", "lat", "lon", "happened_at", "contact_name", "contact_phone")] == [None] * 6
    assert tips.photo_ids(demo_db, users["clerk"], tip["id"]) == []
    assert not path.exists()
    assert demo_db.execute("SELECT COUNT(*) FROM files WHERE id = ?", [file_id]).fetchone()[0] == 0
    # What stays: the tip itself, its kind, station, grid, states and its history.
    assert (row["kind"], row["state"], row["station_id"]) == ("lead", "rejected", users["clerk"].station_id)
    assert row["grid_id"] is not None and row["closed_at"] == tip["closed_at"]
    assert [e["kind"] for e in tips.events(demo_db, users["clerk"], tip["id"])] == ["created", "state"]
    audit = demo_db.execute("SELECT user_id, after FROM audit_log WHERE action = 'erase' AND entity = 'tips'"
                            " AND entity_id = ?", [str(tip["id"])]).fetchall()
    assert audit == [(None, '{"reason": "retention", "years": 3}')]
    # The sender can still follow it with the tracking code.
    code = demo_db.execute("SELECT tracking_code FROM tips WHERE id = ?", [tip["id"]]).fetchone()[0]
    assert tips.track(demo_db, code)["state"] == "rejected"

    # Erased once: a second run finds nothing.
    assert retention.erase_expired_tips(demo_db, now=_years_after(tip["closed_at"], 4)) == {"tips": 0, "files": 0}


def test_the_period_counts_from_closing_and_open_tips_are_never_erased(demo_db, users):
    closed = _closed_tip(demo_db, users)
    still_open = make_tip(demo_db, station=users["clerk"], kind="lead")
    assert retention.erase_expired_tips(demo_db, now=_years_after(closed["closed_at"], 3, days=-1))["tips"] == 0
    assert _row(demo_db, closed["id"])["contact_phone"] == "13800138000"

    done = retention.erase_expired_tips(demo_db, now=_years_after(closed["closed_at"], 10))
    assert done["tips"] == 1
    assert _row(demo_db, closed["id"])["erased_at"]
    assert _row(demo_db, still_open["id"])["description"] == TIP_TEXT["lead"]
    assert _row(demo_db, still_open["id"])["erased_at"] is None


def test_a_photo_another_tip_still_uses_is_kept(demo_db, users):
    first = _closed_tip(demo_db, users)
    other = make_tip(demo_db, station=users["clerk"], kind="lead", photos=(jpeg(gps=True),))  # the same image: one file
    shared = tips.photo_ids(demo_db, users["clerk"], first["id"])
    assert tips.photo_ids(demo_db, users["clerk"], other["id"]) == shared

    done = retention.erase_expired_tips(demo_db, now=_years_after(first["closed_at"], 3, days=1))
    assert done == {"tips": 1, "files": 0}
    data, _mime = files.read_file(demo_db, users["clerk"], shared[0])
    assert data


def test_the_period_is_a_setting_and_a_bad_one_stops_with_a_clear_message(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_DB", str(tmp_path / "portal.db"))
    assert retention.retention_years() == 3
    monkeypatch.setenv("PORTAL_TIP_RETENTION_YEARS", "5")
    assert retention.retention_years() == 5
    for bad in ("0", "31", "3.5", "三", "-1"):
        monkeypatch.setenv("PORTAL_TIP_RETENTION_YEARS", bad)
        with pytest.raises(PortalError) as refused:
            retention.retention_years()
        assert refused.value.key == "error.retention_years"
    assert cli.main(["init"]) == 2  # `make serve` stops before the portal starts


def test_cutoff_is_whole_calendar_years():
    assert retention.cutoff("2029-11-28T10:00:00Z", 3) == "2026-11-28T10:00:00Z"
    assert retention.cutoff("2028-02-29T08:00:00Z", 1) == "2027-02-28T08:00:00Z"


def test_erase_expired_from_the_command_line(demo_path, demo_db, users, monkeypatch, capsys):
    _closed_tip(demo_db, users)
    monkeypatch.setenv("PORTAL_DB", str(demo_path))
    monkeypatch.setenv("PORTAL_TIP_RETENTION_YEARS", "1")
    assert cli.main(["erase-expired"]) == 0  # nothing is a year old yet
    assert "erase-expired: 0 tips" in capsys.readouterr().out
