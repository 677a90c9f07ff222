"""Anti-abuse of the public pages (lib/tips/intake_guard.py): rate limits per client and per phone
with an injected clock, the challenge, the honeypot, pruning, lookups of the tracker."""

from datetime import UTC, datetime, timedelta

import pytest

from lib.tips import intake_guard as guard
from lib.tips import tips
from lib.tips.tips import TipInput

T0 = datetime(2026, 11, 28, 10, 0, 0, tzinfo=UTC)


def at(minutes: float = 0, seconds: float = 0) -> datetime:
    return T0 + timedelta(minutes=minutes, seconds=seconds)


def a_tip(**over) -> TipInput:
    values = dict(kind="lead", description="看到一辆灰色面包车车头有撞痕，停在三星镇汽车站旁。", consent=True)
    values.update(over)
    return TipInput(**values)


def count(db, table: str) -> int:
    return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def answer_for(seed: int) -> str:
    question = guard.make_challenge(seed)
    return str(sum(guard._ZH_DIGITS.index(question.params[k]) for k in ("a", "b")))


def test_five_tips_per_ten_minutes_per_client_then_a_wait(fresh_db):
    for n in range(5):
        assert guard.check(fresh_db, client_key="1.2.3.4", contact_phone=None, now=at(n)).allowed
        guard.record(fresh_db, client_key="1.2.3.4", contact_phone=None, now=at(n))
    verdict = guard.check(fresh_db, client_key="1.2.3.4", contact_phone=None, now=at(5))
    assert not verdict.allowed and verdict.key == "client_window"
    assert verdict.retry_after_s == 5 * 60 + 1  # the first of the five leaves the window at 10:10
    assert guard.check(fresh_db, client_key="5.6.7.8", contact_phone=None, now=at(5)).allowed  # others unaffected
    assert guard.check(fresh_db, client_key="1.2.3.4", contact_phone=None, now=at(10, 1)).allowed


def test_twenty_tips_per_day_per_client(fresh_db):
    for n in range(20):
        guard.record(fresh_db, client_key="c", contact_phone=None, now=at(n * 30))  # spaced: never 5 in 10 min
    verdict = guard.check(fresh_db, client_key="c", contact_phone=None, now=at(20 * 30))
    assert not verdict.allowed and verdict.key == "client_day"
    assert verdict.retry_after_s == (24 * 60 - 600) * 60 + 1  # the first of the twenty leaves at 10:00 next day
    assert guard.check(fresh_db, client_key="c", contact_phone=None, now=at(24 * 60, 1)).allowed


def test_three_tips_per_ten_minutes_per_phone_whatever_the_client(fresh_db):
    for n, client in enumerate(("a", "b", "c")):
        guard.record(fresh_db, client_key=client, contact_phone="139 1234 5678", now=at(n))
    verdict = guard.check(fresh_db, client_key="d", contact_phone="13912345678", now=at(3))
    assert not verdict.allowed and verdict.key == "phone_window"
    assert guard.check(fresh_db, client_key="d", contact_phone="13800000000", now=at(3)).allowed
    assert guard.check(fresh_db, client_key="d", contact_phone=None, now=at(3)).allowed


def test_challenge_after_two_tips_within_ten_minutes(fresh_db):
    assert not guard.check(fresh_db, client_key="c", contact_phone=None, now=at(0)).needs_challenge
    guard.record(fresh_db, client_key="c", contact_phone=None, now=at(0))
    assert not guard.check(fresh_db, client_key="c", contact_phone=None, now=at(1)).needs_challenge
    guard.record(fresh_db, client_key="c", contact_phone=None, now=at(1))
    assert guard.check(fresh_db, client_key="c", contact_phone=None, now=at(2)).needs_challenge
    assert not guard.check(fresh_db, client_key="c", contact_phone=None, now=at(11, 1)).needs_challenge


def test_no_client_key_means_no_client_limit(fresh_db):
    for n in range(6):
        guard.record(fresh_db, client_key=None, contact_phone=None, now=at(n))
    assert count(fresh_db, "intake_events") == 0
    assert guard.check(fresh_db, client_key=None, contact_phone=None, now=at(6)).allowed


def test_keys_are_hashed_and_old_rows_pruned(fresh_db):
    guard.record(fresh_db, client_key="10.0.0.9", contact_phone="13912345678", now=at(0))
    stored = " ".join(r[0] for r in fresh_db.execute("SELECT key FROM intake_events"))
    assert "10.0.0.9" not in stored and "13912345678" not in stored
    guard.record(fresh_db, client_key="other", contact_phone=None, now=at(24 * 60 + 1))
    assert count(fresh_db, "intake_events") == 1


def test_challenge_is_deterministic_per_seed_and_checked(fresh_db):
    seed = guard.new_seed()
    question = guard.make_challenge(seed)
    assert question == guard.make_challenge(seed) and question.question == "guard.challenge_question"
    right = answer_for(seed)
    assert guard.verify_challenge(seed, right)
    assert guard.verify_challenge(seed, f" {right} ")
    assert guard.verify_challenge(seed, right.translate(str.maketrans("0123456789", "０１２３４５６７８９")))
    for wrong in (str(int(right) + 1), "", None, "abc", "1" * 50, "-" + right):
        assert not guard.verify_challenge(seed, wrong)
    assert not guard.verify_challenge(None, right)


def test_client_key_prefers_a_real_address_and_unknown_ones_share_a_bucket(fresh_db):
    assert guard.client_key("203.0.113.7") == "203.0.113.7"
    # Streamlit gives None on loopback and AppTest a mock: one shared key, never one per session
    assert guard.client_key(None) == guard.client_key(object()) == guard.client_key("") == guard.UNKNOWN_CLIENT


def test_a_new_browser_session_without_an_address_does_not_reset_the_limit(demo_db):
    """What a reload did before: a fresh random key per browser session, so a fresh limit."""
    for n in range(guard.CLIENT_PER_WINDOW):
        guard.submit_tip(demo_db, a_tip(), client_key=guard.client_key(None), now=at(n),
                         challenge_seed=None if n < guard.CHALLENGE_AFTER else 7,
                         challenge_answer=None if n < guard.CHALLENGE_AFTER else answer_for(7))
    with pytest.raises(guard.RateLimited):  # "another visitor" whose address is not known either
        guard.submit_tip(demo_db, a_tip(), client_key=guard.client_key(None), now=at(5),
                         challenge_seed=7, challenge_answer=answer_for(7))
    assert guard.submit_tip(demo_db, a_tip(), client_key="198.51.100.4", now=at(5))["tracking_code"]


def test_submit_tip_refuses_over_the_limit_and_writes_nothing(demo_db):
    for n in range(5):
        guard.record(demo_db, client_key="c", contact_phone=None, now=at(n))
    before = count(demo_db, "tips")
    with pytest.raises(guard.RateLimited) as info:
        guard.submit_tip(demo_db, a_tip(), client_key="c", now=at(5))
    assert info.value.key == "guard.too_many_tips" and info.value.params["minutes"] == 6
    assert count(demo_db, "tips") == before


def test_submit_tip_needs_the_challenge_answer_once_busy(demo_db):
    for n in range(2):
        guard.submit_tip(demo_db, a_tip(), client_key="c", now=at(n))
    before = count(demo_db, "tips")
    seed = guard.new_seed()
    with pytest.raises(tips.TipErrors) as info:
        guard.submit_tip(demo_db, a_tip(), client_key="c", challenge_seed=seed, challenge_answer="999", now=at(2))
    assert info.value.errors["challenge"][0] == "guard.challenge_wrong"
    assert count(demo_db, "tips") == before
    made = guard.submit_tip(demo_db, a_tip(), client_key="c", challenge_seed=seed,
                            challenge_answer=answer_for(seed), now=at(2))
    assert made["id"] and count(demo_db, "tips") == before + 1


def test_honeypot_pretends_success_stores_nothing_and_counts(demo_db):
    before = count(demo_db, "tips")
    made = guard.submit_tip(demo_db, a_tip(), client_key="bot", honeypot="http://spam.example", now=at(0))
    assert made["id"] is None and len(made["tracking_code"]) == tips.TRACKING_LENGTH
    assert count(demo_db, "tips") == before
    assert tips.track(demo_db, made["tracking_code"]) is None
    keys = [r[0] for r in demo_db.execute("SELECT key FROM intake_events")]
    assert any(k.startswith("trap:c:") for k in keys) and any(k.startswith("tip:c:") for k in keys)


def test_an_anonymous_tip_is_never_refused_for_a_phone_and_keeps_none(demo_db):
    # The form no longer has an "anonymous" box: a phone means "call me back" (is_anonymous False);
    # a caller that still passes one with is_anonymous True gets the tip in, the phone not kept.
    made = guard.submit_tip(demo_db, a_tip(contact_phone="13912345678"), client_key="c", now=at(0))
    row = demo_db.execute("SELECT is_anonymous, contact_phone FROM tips WHERE id = ?", [made["id"]]).fetchone()
    assert tuple(row) == (1, None)


def test_refused_fields_and_the_challenge_are_reported_together(demo_db):
    for n in range(2):
        guard.record(demo_db, client_key="c", contact_phone=None, now=at(n))
    with pytest.raises(tips.TipErrors) as info:
        guard.submit_tip(demo_db, a_tip(description="短", consent=False), client_key="c", now=at(2))
    assert {"challenge", "description", "consent"} <= set(info.value.errors)
    assert count(demo_db, "intake_events") == 2  # a refusal is not counted


def test_tracker_lookups_are_limited_per_client(demo_db):
    made = tips.create_tip(demo_db, a_tip())
    for n in range(guard.LOOKUPS_PER_WINDOW):
        assert guard.guarded_track(demo_db, "AAAAA-AAAAA", client_key="guesser", now=at(0, n)) is None
    with pytest.raises(guard.RateLimited) as info:
        guard.guarded_track(demo_db, made["tracking_code"], client_key="guesser", now=at(1))
    assert info.value.key == "guard.too_many_lookups"
    assert guard.guarded_track(demo_db, made["tracking_code"], client_key="owner", now=at(1))["state"] == "new"
    assert guard.guarded_track(demo_db, made["tracking_code"], client_key="guesser", now=at(10, 1))


def test_tips_in_one_second_count_one_each_and_intake_leaves_pruning_to_the_worker(demo_db):
    guard.record(demo_db, client_key="old", contact_phone=None, now=at(0))
    for _ in range(2):  # two within one second: two counts, one row
        guard.submit_tip(demo_db, a_tip(), client_key="burst", now=at(24 * 60 + 5))
    verdict = guard.check(demo_db, client_key="burst", contact_phone=None, now=at(24 * 60 + 5, 1))
    assert verdict.allowed and verdict.needs_challenge  # both counted: the challenge is due
    # The day-old count is still there: a tip's transaction prunes nothing …
    assert count(demo_db, "intake_events") == 2
    # … the worker's hourly pass does (lib/pushes/worker.py calls prune).
    assert guard.prune(demo_db, now=at(24 * 60 + 5)) == 1
    assert [r[0] for r in demo_db.execute("SELECT hits FROM intake_events")] == [2]

