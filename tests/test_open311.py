"""The queue as Open311 GeoReport v2 requests: the standard's fields, scope, and no personal data."""

import json

import pytest

from lib.tips import open311, tips
from lib.tips.tips import TipInput
from lib.tips.triage_queue import QueueFilter

NOW = "2026-11-28T10:00:00Z"
PHONE, NAME = "13912345678", "王建华"


def own_grid(db, user):
    return db.execute("SELECT id, lat, lon FROM grids WHERE station_id = ? AND geometry IS NOT NULL LIMIT 1",
                      [user.station_id]).fetchone()


def tip_with_contact(db, user, **over) -> int:
    grid_id, lat, lon = own_grid(db, user)
    values = dict(kind="lead", description="汽车站旁有辆灰色面包车车头有撞痕。", location_text="三星镇汽车站东侧",
                  grid_id=grid_id, lat=lat + 0.00123, lon=lon - 0.00456, is_anonymous=False,
                  contact_name=NAME, contact_phone=PHONE, consent=True)
    values.update(over)
    return tips.create_tip(db, TipInput(**values), now=NOW)["id"]


def test_a_tip_becomes_a_service_request(demo_db, users):
    clerk = users["clerk"]
    tip_id = tip_with_contact(demo_db, clerk)
    [req] = open311.georeport(demo_db, clerk, QueueFilter(), now=NOW)
    tip = tips.get_tip(demo_db, clerk, tip_id)
    assert req["service_request_id"] == str(tip_id)
    assert req["status"] == "open" and req["service_code"] == "lead" and req["service_name"] == "案件线索"
    assert req["requested_datetime"] == NOW and req["updated_datetime"] == tip["updated_at"]
    assert req["address"] == "三星镇汽车站东侧" and req["description"] == tip["description"]
    assert req["agency_responsible"] == "三星派出所"
    assert req["lat"] == round(tip["lat"], 3) and req["long"] == round(tip["lon"], 3)
    assert req["lat"] != tip["lat"]  # rounded to ~100 m


def test_closed_tips_say_closed(demo_db, users):
    clerk = users["clerk"]
    tip_id = tip_with_contact(demo_db, clerk)
    tips.move(demo_db, clerk, tip_id, 1, "reject", reason="经核实不属实")
    [req] = open311.georeport(demo_db, clerk, QueueFilter(open_only=False), now=NOW)
    assert req["status"] == "closed"
    assert open311.georeport(demo_db, clerk, QueueFilter(), now=NOW) == []


def test_no_personal_data_leaks_even_when_the_tip_has_contact_details(demo_db, users):
    clerk = users["clerk"]
    tip_id = tip_with_contact(
        demo_db, clerk, description="我叫王建华，电话 139 1234 5678，身份证 320684199001011234，"
                                    "看到面包车撞了护栏；也可打座机０５１３－８２１２３４５６。",
        location_text="三星镇汽车站，联系13912345678")
    tip = tips.get_tip(demo_db, clerk, tip_id)
    tips.move(demo_db, users["station_admin"], tip_id, tip["version"], "assign", assignee_user_id=clerk.id)
    out = open311.to_json(open311.georeport(demo_db, users["district_admin"], QueueFilter(), now=NOW))
    text = out.decode("utf-8")
    [req] = json.loads(text)
    assert set(req) == {"service_request_id", "status", "service_code", "service_name", "description",
                        "requested_datetime", "updated_datetime", "expected_datetime", "address", "lat", "long",
                        "agency_responsible"}
    digits = "".join(ch for ch in text if ch.isdigit())
    for secret in ("13912345678", "1234 5678", "320684199001011234", "82123456", "０５１３"):
        assert secret not in text
    assert "13912345678" not in digits and "320684199001011234" not in digits
    assert demo_db.execute("SELECT tracking_code FROM tips WHERE id = ?", [tip_id]).fetchone()[0] not in text
    assert clerk.name not in text and clerk.username not in text
    for word in ("contact", "phone", "assignee", "anonymous", "tracking"):
        assert word not in text
    assert "看到面包车撞了护栏" in req["description"]  # the event itself is kept


@pytest.mark.parametrize("text,masked", [
    ("电话13912345678", "电话***********"), ("打 139-1234-5678 找我", "打 ************* 找我"),
    ("座机0513-82123456", "座机*************"), ("身份证32068419900101123X", "身份证******************"),
    ("车牌苏F12345，2026-11-28 晚上", "车牌苏F12345，2026-11-28 晚上"), ("", ""),
])
def test_redact_masks_phone_and_id_numbers_only(text, masked):
    assert open311.redact(text) == masked


def test_scope_is_the_users(demo_db, users):
    tip_with_contact(demo_db, users["clerk"])
    assert open311.georeport(demo_db, users["other_clerk"], QueueFilter(), now=NOW) == []
    assert len(open311.georeport(demo_db, users["district_admin"], QueueFilter(), now=NOW)) == 1


def test_iter_queue_walks_every_page(demo_db, users, monkeypatch):
    clerk = users["clerk"]
    for _ in range(7):
        tip_with_contact(demo_db, clerk, is_anonymous=True)
    monkeypatch.setattr(open311, "PAGE", 3)
    every = [t["id"] for t in open311.iter_queue(demo_db, clerk, QueueFilter(), now=NOW)]
    assert len(every) == len(set(every)) == 7
    assert [t["id"] for t in open311.iter_queue(demo_db, clerk, QueueFilter(), now=NOW, limit=5)] == every[:5]
