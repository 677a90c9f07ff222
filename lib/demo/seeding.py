"""Seeding the demo district: the generated district (:mod:`lib.demo.demo`), its boundary, the content
library, reply templates and experts, then a year of pushes, tips, mediation cases and duty records — all in one
transaction into an empty database. ``make run`` (through ``lib.cli ensure-demo``), the tests and the
bench call :func:`seed`."""

from __future__ import annotations

import json

import sqlite_utils

from lib.core import audit, auth
from lib.core.clock import utcnow
from lib.core.db import ROOT, write_transaction
from lib.demo import demo_duty, demo_mediation, demo_pushes, demo_tips
from lib.demo.demo import DEFAULT_SEED, DEMO_USERS, DemoError, build, demo_boundary_geojson
from lib.grids.district_outline import set_district_boundary
from lib.tips.experts import seed_experts
from lib.tips.reply_templates import seed_reply_templates


def is_seeded(db: sqlite_utils.Database) -> bool:
    """True when the database already holds units (demo or real)."""
    return db.execute("SELECT 1 FROM units LIMIT 1").fetchone() is not None


def seed(db: sqlite_utils.Database, *, password: str, seed: int = DEFAULT_SEED,
         scale: float = 1.0, demo_users: bool = True) -> dict:
    """Write the demo district into an empty database in one transaction.

    Returns the row counts. Refuses a database that already has units, so a real
    deployment is never mixed with demo data. ``demo_users`` adds the three logins
    (``district``, ``station``, ``clerk``) with ``password``.
    """
    if is_seeded(db):
        raise DemoError("error.demo_not_empty")
    if demo_users:
        auth.validate_password(password)
    rows = build(seed, scale)
    password_hash = auth.hash_password(password) if demo_users else None
    station_by_name = {u["name"]: u["id"] for u in rows.units if u["kind"] == "station"}
    now = utcnow()
    with write_transaction(db):
        db["units"].insert_all(rows.units, batch_size=1000)
        db["users"].insert_all(rows.users, batch_size=1000)
        if demo_users:
            next_id = len(rows.users)
            for k, (username, name, role, unit_name) in enumerate(DEMO_USERS, start=1):
                db["users"].insert({
                    "id": next_id + k, "username": username, "name": name, "email": None,
                    "role": role, "unit_id": station_by_name[unit_name] if unit_name else 1,
                    "password_hash": password_hash, "is_active": 1, "is_demo": 1, "created_at": now,
                })
        db["grids"].insert_all(rows.grids, batch_size=1000)
        db["chat_groups"].insert_all(rows.groups, batch_size=1000)
        counts = {
            "units": len(rows.units), "grids": len(rows.grids), "chat_groups": len(rows.groups),
            "members": sum(g["member_count"] for g in rows.groups),
            "residents": sum(g["population"] for g in rows.grids if g["category"] == "comprehensive"),
        }
        db["app_meta"].upsert_all(
            [{"key": "demo_seed", "value": str(seed)}, {"key": "demo_scale", "value": str(scale)},
             {"key": "demo_seeded_at", "value": now}],
            pk="key",
        )

        district_admin = db.execute("SELECT id FROM users WHERE role = 'district_admin' LIMIT 1").fetchone()
        db["content_items"].insert_all(
            [{**item, "created_by": district_admin[0] if district_admin else None, "created_at": now}
             for item in json.loads((ROOT / "data" / "content_library.json").read_text(encoding="utf-8"))])

        set_district_boundary(db, demo_boundary_geojson(scale))
        seed_reply_templates(db)
        seed_experts(db)
        counts["pushes"] = demo_pushes.generate_demo_year(db, seed=seed, now=now)
        counts["tips"] = demo_tips.generate_demo_year(db, seed=seed, now=now)
        counts["mediation_cases"] = demo_mediation.generate_demo_year(db, seed=seed, now=now)
        counts.update(demo_duty.generate_demo(db, seed=seed, now=now))
        audit.record(db, None, "seed_demo", "district", None, after=counts)
    return counts
