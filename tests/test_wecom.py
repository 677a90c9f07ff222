"""The WeCom group-robot client: payload checks, answers and their classification, the rate limiter;
and the fake robot server that the worker tests rely on."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import socket
import urllib.request

import pytest
from PIL import Image

from lib.pushes import wecom
from tests.fake_wecom import FakeWeCom, SimClock


def png_bytes(size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(out, "PNG")
    return out.getvalue()


def image_payload(raw: bytes, md5: str | None = None) -> dict:
    return {"msgtype": "image", "image": {"base64": base64.b64encode(raw).decode(),
                                          "md5": md5 or hashlib.md5(raw).hexdigest()}}


def markdown(content: str) -> dict:
    return {"msgtype": "markdown", "markdown": {"content": content}}


@pytest.fixture
def clock():
    return SimClock(1_800_000_000)


@pytest.fixture
def fake(clock):
    with FakeWeCom(clock) as server:
        yield server


# --- payload checks ---------------------------------------------------------------------


@pytest.mark.parametrize("payload", [
    markdown("**通报**\n" + "字" * 1300),  # 3,900+ bytes of UTF-8
    {"msgtype": "text", "text": {"content": "a" * 2048}},
    image_payload(png_bytes()),
    image_payload(b"\xff\xd8\xff\xe0" + b"\0" * 100),  # a JPEG's first bytes
], ids=["markdown", "text", "png", "jpeg"])
def test_valid_messages_pass_and_arrive_as_they_were(fake, payload):
    assert wecom.validate(payload) is None
    result = wecom.send(fake.url("k1"), payload)
    assert (result.ok, result.errcode) == (True, 0)
    assert fake.messages("k1") == [payload]


@pytest.mark.parametrize("payload,fragment", [
    (markdown("字" * 1366), "over 4096"),  # 4,098 bytes: the limit is bytes, not characters
    ({"msgtype": "text", "text": {"content": "a" * 2049}}, "over 2048"),
    (markdown("  "), "empty"),
    ({"msgtype": "news", "news": {}}, "unsupported"),
    ({"msgtype": "markdown"}, "unsupported"),
    (image_payload(b"GIF89a" + b"\0" * 50), "neither PNG nor JPG"),
    (image_payload(png_bytes(), md5="0" * 32), "md5"),
    ({"msgtype": "image", "image": {"base64": "@@not base64@@", "md5": "x"}}, "not valid"),
])
def test_invalid_messages_are_refused_before_sending(payload, fragment):
    with pytest.raises(wecom.PayloadError, match=fragment):
        wecom.validate(payload)


def test_image_over_two_megabytes_is_refused():
    raw = b"\x89PNG\r\n\x1a\n" + b"\0" * (2 * 1024 * 1024)
    with pytest.raises(wecom.PayloadError, match="over"):
        wecom.validate(image_payload(raw))


def test_an_invalid_message_is_not_sent(fake):
    result = wecom.send(fake.url("k1"), markdown("字" * 2000))
    assert not result.ok and not result.retryable and result.status == 0 and "4096" in result.errmsg
    assert fake.requests == 0


# --- answers ------------------------------------------------------------------------------


def test_accepted_message(fake, clock):
    payload = markdown("**平安前哨** 测试")
    result = wecom.send(fake.url("k1"), payload)
    assert result == wecom.SendResult(True, 0, "ok", False, 200)
    assert fake.messages("k1") == [payload] and fake.times("k1") == [clock()]


def test_image_is_accepted_with_its_md5(fake):
    assert wecom.send(fake.url("k1"), image_payload(png_bytes())).ok


def test_invalid_webhook_is_not_retryable_and_marks_broken(fake):
    fake.invalid_keys.add("gone")
    result = wecom.send(fake.url("gone"), markdown("x"))
    assert (result.ok, result.errcode, result.retryable, result.webhook_broken) == (False, 93000, False, True)


def test_url_without_a_key_is_an_invalid_webhook():
    for url in ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send", "ftp://x/?key=1", "", "not a url"):
        result = wecom.send(url, markdown("x"))
        assert result.webhook_broken and not result.retryable, url


def test_frequency_limit_is_retryable(fake):
    url = fake.url("busy")
    assert all(wecom.send(url, markdown(f"m{i}")).ok for i in range(20))
    result = wecom.send(url, markdown("m20"))
    assert result.rate_limited and result.retryable and fake.rate_limited == 1


def test_window_frees_after_a_minute(fake, clock):
    url = fake.url("busy")
    for i in range(20):
        assert wecom.send(url, markdown(f"m{i}")).ok
    clock.advance(59)
    assert wecom.send(url, markdown("early")).rate_limited
    clock.advance(1)
    assert wecom.send(url, markdown("late")).ok


def test_server_errors_are_retryable(fake):
    fake.fail_next("k1", 2, status=502)
    for _ in range(2):
        result = wecom.send(fake.url("k1"), markdown("x"))
        assert (result.ok, result.status, result.errcode, result.retryable) == (False, 502, None, True)
    assert wecom.send(fake.url("k1"), markdown("x")).ok


@pytest.mark.parametrize("errcode,retryable", [(40008, False), (40058, False), (-1, True), (45009, True),
                                               (60020, False)])
def test_errcodes(fake, errcode, retryable):
    fake.fail_next("k1", 1, errcode=errcode)
    result = wecom.send(fake.url("k1"), markdown("x"))
    assert (result.ok, result.errcode, result.retryable) == (False, errcode, retryable)
    assert str(errcode) in result.describe()


def test_connection_refused_is_retryable():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again at once: nobody listens there
    result = wecom.send(f"http://127.0.0.1:{port}/cgi-bin/webhook/send?key=k", markdown("x"), timeout=2)
    assert not result.ok and result.retryable and result.status == 0 and "network" in result.errmsg


def test_timeout_is_retryable():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)  # accepts the connection in the backlog, never answers
        url = f"http://127.0.0.1:{server.getsockname()[1]}/cgi-bin/webhook/send?key=k"
        result = wecom.send(url, markdown("x"), timeout=0.3)
    assert not result.ok and result.retryable and result.status == 0


@pytest.mark.parametrize("status,body,retryable", [
    (200, b"<html>proxy login</html>", True),
    (404, b"not found", False),
    (429, b"", True),
    (503, b"", True),
])
def test_classify_unusual_answers(status, body, retryable):
    result = wecom.classify(status, body)
    assert not result.ok and result.retryable is retryable and result.status == status


def test_robot_key():
    assert wecom.robot_key("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc-123") == "abc-123"
    assert wecom.robot_key("http://h/send?x=1&key=k%201") == "k 1"


# --- the rate limiter -------------------------------------------------------------------------


def test_limiter_allows_twenty_per_window_per_key():
    limiter = wecom.RateLimiter(margin=0)
    assert [limiter.acquire("a", 100.0 + i) for i in range(20)] == [0.0] * 20
    assert limiter.acquire("b", 119.0) == 0.0  # another robot has its own window
    assert limiter.acquire("a", 119.0) == pytest.approx(41.0)  # the first slot frees at 160
    assert limiter.acquire("a", 160.0) == 0.0  # sliding: one slot free, taken
    assert limiter.acquire("a", 160.5) == pytest.approx(0.5)
    assert limiter.wait_time("a", 161.0) == 0.0


def test_limiter_margin_and_block():
    limiter = wecom.RateLimiter()  # one second of margin against clock differences
    for _ in range(20):
        limiter.acquire("a", 0.0)
    assert limiter.acquire("a", 0.0) == pytest.approx(61.0)
    assert limiter.block("b", 10.0) == pytest.approx(61.0)
    assert limiter.acquire("b", 70.0) == pytest.approx(1.0) and limiter.acquire("b", 71.0) == 0.0
    limiter.forget(before=50.0)
    assert "a" not in limiter._sent and "b" in limiter._sent


# --- the fake server itself ------------------------------------------------------------------


def raw_post(fake: FakeWeCom, key: str, body: bytes) -> dict:
    request = urllib.request.Request(fake.url(key), data=body, method="POST")
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def test_fake_server_checks_like_wecom(fake):
    assert raw_post(fake, "k", b"{not json")["errcode"] == 40008
    assert raw_post(fake, "k", json.dumps(markdown("字" * 1366)).encode())["errcode"] == 40058
    assert raw_post(fake, "k", json.dumps(image_payload(png_bytes(), md5="0" * 32)).encode())["errcode"] == 301019
    assert raw_post(fake, "k", json.dumps(image_payload(b"GIF89a....")).encode())["errcode"] == 40009
    assert raw_post(fake, "k", json.dumps(markdown("ok")).encode())["errcode"] == 0
    assert len(fake.accepted) == 1 and len(fake.refused) == 4 and fake.max_in_window() == 1


# --- kept-alive connections -------------------------------------------------------------------


def test_messages_share_kept_connections_across_threads_and_thread_pools(fake):
    from concurrent.futures import ThreadPoolExecutor

    for n in range(5):
        assert wecom.send(fake.url(f"k{n}"), markdown(f"第{n}条")).ok
    assert fake.connections == 1
    for _batch in range(3):  # the worker makes a new pool per batch: its threads find the open connections
        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(lambda n: wecom.send(fake.url(f"b{n}"), markdown("批量")), range(8)))
        assert all(r.ok for r in results)
    assert len(fake.accepted) == 29 and fake.connections <= 4


def test_a_kept_connection_the_server_closed_is_replaced_and_the_message_sent_once(fake):
    assert wecom.send(fake.url("k1"), markdown("一")).ok
    fake.drop_next = 1  # the kept connection is closed under the next message
    result = wecom.send(fake.url("k1"), markdown("二"))
    assert result.ok and [m["markdown"]["content"] for m in fake.messages("k1")] == ["一", "二"]
    assert fake.connections == 2


def test_a_new_connection_closed_without_an_answer_is_not_sent_again(fake):
    fake.drop_next = 1  # the first message to this server: on a new connection
    result = wecom.send(fake.url("k1"), markdown("一"))
    assert not result.ok and result.retryable and fake.requests == 0 and fake.connections == 1
