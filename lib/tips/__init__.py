"""Tips (线索/诉求): what residents send — intake and its abuse guard, routing to a station, the triage
queue and its clocks (sla, tip_clocks), work on a tip (tip_actions, reply templates, duplicates, experts),
the public tracker and tracking card, Open311 export and retention (erasure when the time is up)."""
