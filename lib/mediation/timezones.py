"""Time zones of mediation: parties abroad meet a Beijing station on video. Which zones exist, a
country's usual zone, a wall-clock time in a zone as our UTC stamp, how a session reads in each party's
local time (with a warning outside 08:00–22:00) and the windows of a day that suit everyone."""

from __future__ import annotations

import functools
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

from lib.core import clock
from lib.core.errors import ValidationError

BEIJING = clock.BEIJING
DAY_START, DAY_END = time(8, 0), time(22, 0)  # a party's local hours that suit a video call
# Countries Haimen's people trade and work in, with the zone most of them live in; any other IANA
# zone can be chosen for a party (the USA, Indonesia … span several).
COUNTRY_ZONES = {
    "CN": BEIJING, "HK": "Asia/Hong_Kong", "KE": "Africa/Nairobi", "NG": "Africa/Lagos", "TZ": "Africa/Dar_es_Salaam",
    "ZA": "Africa/Johannesburg", "ET": "Africa/Addis_Ababa", "AE": "Asia/Dubai", "SA": "Asia/Riyadh",
    "ID": "Asia/Jakarta", "VN": "Asia/Ho_Chi_Minh", "TH": "Asia/Bangkok", "MY": "Asia/Kuala_Lumpur",
    "SG": "Asia/Singapore", "JP": "Asia/Tokyo", "KR": "Asia/Seoul", "IT": "Europe/Rome", "ES": "Europe/Madrid",
    "FR": "Europe/Paris", "DE": "Europe/Berlin", "GB": "Europe/London", "RU": "Europe/Moscow",
    "US": "America/New_York", "CA": "America/Toronto", "BR": "America/Sao_Paulo", "AU": "Australia/Sydney",
}


@functools.cache
def available_zones() -> tuple[str, ...]:
    """Every IANA zone name this machine knows (system tzdata or the ``tzdata`` package), sorted."""
    return tuple(sorted(zoneinfo.available_timezones()))


def is_valid_zone(name: str | None) -> bool:
    """True for an IANA zone name this machine knows ('Africa/Nairobi'); never touches the file system
    with an arbitrary name."""
    return bool(name) and name in available_zones()


def zone_for_country(country: str | None) -> str:
    """The usual zone of a country of :data:`COUNTRY_ZONES`; Beijing for none or unknown."""
    return COUNTRY_ZONES.get(country or "", BEIJING)


def parse_utc(ts: str) -> datetime:
    return datetime.strptime(ts, clock.STAMP).replace(tzinfo=UTC)


def to_utc(starts_at_local: datetime | str, tz: str = BEIJING) -> str:
    """A wall-clock time in zone ``tz`` ('2026-12-01 14:00' or a datetime) as our UTC stamp.

    Refuses times that do not exist there (the hour skipped when clocks go forward)."""
    if not is_valid_zone(tz):
        raise ValidationError("mediation.error.zone", field="tz")
    zone = zoneinfo.ZoneInfo(tz)
    if isinstance(starts_at_local, datetime):
        local = starts_at_local
    else:
        try:
            local = datetime.strptime(str(starts_at_local or "").strip().replace("T", " ")[:16], "%Y-%m-%d %H:%M")
        except ValueError:
            raise ValidationError("mediation.error.time", field="starts_at") from None
    if local.tzinfo is not None:
        return local.astimezone(UTC).strftime(clock.STAMP)
    aware = local.replace(second=0, microsecond=0, tzinfo=zone)
    if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != aware.replace(tzinfo=None):
        raise ValidationError("mediation.error.time_nonexistent", field="starts_at")
    return aware.astimezone(UTC).strftime(clock.STAMP)


def _utc_offset(moment: datetime) -> str:
    minutes = int(moment.utcoffset().total_seconds() // 60)
    sign, minutes = ("+" if minutes >= 0 else "-"), abs(minutes)
    return f"UTC{sign}{minutes // 60}" + (f":{minutes % 60:02d}" if minutes % 60 else "")


def _fits(start: datetime, minutes: int, zone: zoneinfo.ZoneInfo) -> bool:
    """True when ``minutes`` from ``start`` lie within one day's 08:00–22:00 on the clock of ``zone``."""
    begin, end = start.astimezone(zone), (start + timedelta(minutes=minutes)).astimezone(zone)
    return begin.time() >= DAY_START and end.date() == begin.date() and end.time() <= DAY_END


def local_view(starts_at: str, zone: str, duration_minutes: int = 60) -> dict:
    """A session (UTC stamp, duration) on the clock of ``zone``: its local start, the zone's UTC
    offset then, the day relative to Beijing's (-1, 0, +1), and ``is_off_hours`` when the session
    does not fit in 08:00–22:00 there."""
    start = parse_utc(starts_at)
    tz = zoneinfo.ZoneInfo(zone if is_valid_zone(zone) else BEIJING)
    here = start.astimezone(tz)
    beijing_day = start.astimezone(zoneinfo.ZoneInfo(BEIJING)).date()
    return {"zone": zone, "local": here.strftime("%Y-%m-%d %H:%M"), "time": here.strftime("%H:%M"),
            "offset": _utc_offset(here), "day_shift": (here.date() - beijing_day).days,
            "is_off_hours": not _fits(start, int(duration_minutes), tz)}


def party_times(parties: list[dict], starts_at: str, duration_minutes: int = 60) -> list[dict]:
    """Each party with the session's local time in their zone (see :func:`local_view`)."""
    return [{**p, **local_view(starts_at, p["time_zone"], duration_minutes)} for p in parties]


def common_window(zones: list[str], day: date, step_minutes: int = 15) -> list[tuple[str, str]]:
    """The Beijing-time spans of ``day`` in which it is 08:00–22:00 in Beijing and in every zone:
    when a video call suits everyone (('13:00', '22:00') with a party in Nairobi)."""
    beijing = zoneinfo.ZoneInfo(BEIJING)
    wanted = [zoneinfo.ZoneInfo(z) for z in sorted({BEIJING, *(z for z in zones if is_valid_zone(z))})]
    midnight = datetime.combine(day, time(0), tzinfo=beijing)
    spans: list[tuple[str, str]] = []
    run_start = None
    for m in range(0, 24 * 60 + step_minutes, step_minutes):
        slot = midnight + timedelta(minutes=m)
        ok = m < 24 * 60 and all(_fits(slot, step_minutes, z) for z in wanted)
        if ok and run_start is None:
            run_start = slot
        elif not ok and run_start is not None:
            spans.append((run_start.strftime("%H:%M"), slot.strftime("%H:%M")))
            run_start = None
    return spans


def to_beijing(ts: str) -> datetime:
    """A UTC stamp as an aware datetime in Beijing time."""
    return parse_utc(ts).astimezone(zoneinfo.ZoneInfo(BEIJING))
