"""The inputs of one mediation party (role, name, phone, country, time zone, language, note):
a sub-view shared by the mediation page (a new case, a party edited) and triage (a case opened
from a tip), so both ask the same questions the same way."""

from __future__ import annotations

import streamlit as st

from lib.mediation import mediation, timezones
from lib.ui import ui


def country_name(ctx: ui.Context, code: str | None) -> str:
    """A party's country in the user's language, "—" when none was given."""
    return ctx.t(f"mediation.country.{code}") if code else "—"


def _zone_options() -> list[str | None]:
    """None (the country's usual zone), the common zones, then every other zone."""
    common = list(dict.fromkeys(timezones.COUNTRY_ZONES.values()))
    return [None, *common, *(z for z in timezones.available_zones() if z not in common)]


def party_inputs(ctx: ui.Context, prefix: str, *, role: str | None = None, party: dict | None = None) -> dict:
    """The inputs of one party (role fixed when ``role`` is given); returns what was entered."""
    t, party = ctx.t, party or {}
    cols = st.columns([1, 1.4, 1.4])
    if role is None:
        role = cols[0].selectbox(t("mediation.party_col.role"), mediation.ROLES, key=prefix + "role",
                                 index=mediation.ROLES.index(party.get("role", "applicant")),
                                 format_func=lambda r: t(f"mediation.role.{r}"))
    else:
        cols[0].markdown("**" + t(f"mediation.role.{role}") + "**")
    name = cols[1].text_input(t("mediation.party_col.name"), key=prefix + "name", max_chars=mediation.NAME_MAX,
                              value=party.get("name", ""))
    phone = cols[2].text_input(t("mediation.party_col.phone"), key=prefix + "phone", max_chars=24,
                               value=party.get("phone") or "", placeholder=t("mediation.phone_placeholder"))
    cols = st.columns(3)
    countries = [None, *timezones.COUNTRY_ZONES]
    country = cols[0].selectbox(t("mediation.party_col.country"), countries, key=prefix + "country",
                                index=countries.index(party.get("country")),
                                format_func=lambda c: t("mediation.country_none") if c is None else country_name(ctx, c))
    zones = _zone_options()
    zone = cols[1].selectbox(t("mediation.party_col.zone"), zones, key=prefix + "zone",
                             index=zones.index(party.get("time_zone")) if party.get("time_zone") in zones else 0,
                             format_func=lambda z: t("mediation.zone_default") if z is None else z,
                             help=t("mediation.zone_help"))
    language = cols[2].selectbox(t("mediation.party_col.language"), mediation.LANGUAGES, key=prefix + "language",
                                 index=mediation.LANGUAGES.index(party.get("language", "zh")),
                                 format_func=lambda code: t(f"mediation.language.{code}"))
    note = st.text_input(t("mediation.party_col.note"), key=prefix + "note", max_chars=mediation.NOTE_MAX,
                         value=party.get("note") or "")
    return {"role": role, "name": name, "phone": phone, "country": country, "time_zone": zone,
            "language": language, "note": note}


def party_keys(prefix: str) -> tuple[str, ...]:
    """The session-state keys of :func:`party_inputs` under ``prefix`` (to clear them after a save)."""
    return tuple(prefix + k for k in ("role", "name", "phone", "country", "zone", "language", "note"))
