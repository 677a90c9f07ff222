"""Station scope: which rows an acting user may read or change.

District admins see the whole district; station admins and clerks see their station
and its outposts. Every domain query adds :func:`station_clause`, and every write or
single-row read calls :func:`require_station`; pages never filter for security.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lib.core.errors import NotFoundError, ScopeError

if TYPE_CHECKING:
    from lib.core.auth import User


def station_clause(user: User, column: str = "station_id") -> tuple[str, list]:
    """SQL condition and parameters limiting ``column`` to the user's stations."""
    if user.is_district:
        return "1 = 1", []
    if user.station_id is None:
        # A non-district account outside any station sees nothing rather than everything.
        return "0 = 1", []
    return f"{column} = ?", [user.station_id]


def can_see_station(user: User, station_id: int | None) -> bool:
    """True when the user may read rows of this station (``None``: district-level rows)."""
    if user.is_district:
        return True
    return station_id is not None and station_id == user.station_id


def require_station(user: User, station_id: int | None, *, missing_as_not_found: bool = True) -> None:
    """Refuse a row outside the user's scope.

    By default it reads as "not found", so that ids of other stations' rows cannot be
    probed one by one.
    """
    if not can_see_station(user, station_id):
        raise NotFoundError() if missing_as_not_found else ScopeError()


def filter_station(user: User, requested: int | None) -> int | None:
    """The station filter to apply: a station user's own station, whatever was asked."""
    if user.is_district:
        return requested
    if requested is not None and requested != user.station_id:
        raise ScopeError()
    return user.station_id


def station_condition(user: User, requested: int | None, column: str = "station_id") -> tuple[str, list]:
    """A list's station condition: the station asked for (a district user's choice; a station user's own,
    whatever was asked — another is a :class:`ScopeError`), every station for the district, and nothing
    for a non-district account outside any station."""
    station_id = filter_station(user, requested)
    if station_id is not None:
        return f"{column} = ?", [station_id]
    return ("1 = 1", []) if user.is_district else ("0 = 1", [])


def require_a_scope(user: User) -> None:
    """Refuse a non-district account outside any station: it sees no station's work (a report that
    left its station unfiltered would show it every station's)."""
    if not user.is_district and user.station_id is None:
        raise ScopeError()
