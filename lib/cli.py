"""Command line: a thin shell over lib/ for set-up and account administration.

Examples::

    python -m lib.cli init
    python -m lib.cli create-user --username zhangsan --name 张三 --role district_admin --unit D00
    python -m lib.cli reset-password --username zhangsan
    python -m lib.cli ensure-demo          # seeds the demo district into an empty database
    python -m lib.cli list-units --kind station
    python -m lib.cli erase-expired        # tips past PORTAL_TIP_RETENTION_YEARS (the worker does it hourly)
    python -m lib.cli backup --to /backups/portal-2026-11-28.db   # while the portal runs
    python -m lib.cli restore --from /backups/portal-2026-11-28.db # portal and worker stopped
    python -m lib.cli web-fonts --to build/fonts   # `make install` does it: the cut fonts nginx serves

Passwords are stripped of surrounding spaces and usernames lower-cased, as the login
library compares them.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from lib.core import auth, backups, settings, units, web_fonts
from lib.core.db import backup, connect, db_path, query_one
from lib.core.errors import DatabaseError, PortalError
from lib.demo import demo, seeding
from lib.i18n import i18n
from lib.tips import retention

DEMO_DEFAULT_PASSWORD = "demo-2026"  # demo mode only; override with PORTAL_DEMO_PASSWORD


def demo_password() -> str:
    """The demo users' password: ``PORTAL_DEMO_PASSWORD`` or the documented default."""
    return os.environ.get("PORTAL_DEMO_PASSWORD") or DEMO_DEFAULT_PASSWORD


def _password(args) -> str:
    if args.password:
        return args.password
    first = getpass.getpass("Password (at least 8 characters, spaces at the ends are dropped): ")
    if getpass.getpass("Repeat: ") != first:
        raise SystemExit("Passwords differ; nothing changed.")
    return first


def _print_demo_logins(password: str) -> None:
    print("Demo logins (demo data only):")
    for username, _name, role, unit in demo.DEMO_USERS:
        print(f"  {username:<9} / {password:<12} {i18n.t('role.' + role, 'en'):<16} {unit or '联动中心'}")


def cmd_init(args) -> None:
    retention.retention_years()  # a bad setting stops `make serve` here, not on the public form
    connect()
    print(f"Database ready: {db_path()}")


def cmd_seed_demo(args) -> None:
    db = connect()
    password = args.password or demo_password()
    counts = seeding.seed(db, password=password, seed=args.seed, scale=args.scale)
    print(f"Seeded the demo district into {db_path()}: {counts}")
    _print_demo_logins(password)


def cmd_ensure_demo(args) -> None:
    retention.retention_years()  # as in cmd_init: checked before the portal starts
    db = connect()
    password = demo_password()
    if not seeding.is_seeded(db):
        counts = seeding.seed(db, password=password)
        print(f"Empty database: seeded the demo district into {db_path()}: {counts}")
    elif not settings.is_demo(db):
        print(f"{db_path()} holds real data: no demo users.")
        return
    _print_demo_logins(password)


def cmd_create_user(args) -> None:
    db = connect()
    unit = query_one(db, "SELECT id FROM units WHERE code = ?", [args.unit])
    if not unit:
        if args.role == "district_admin" and not seeding.is_seeded(db):
            # A real deployment starts empty: create the district center with its admin.
            unit = {"id": units.create_district_center(db, args.unit, args.unit_name or "联动中心")}
        else:
            raise SystemExit(f"No unit with code {args.unit!r} (see: python -m lib.cli list-units)")
    user = auth.create_user(
        db, None, username=args.username, name=args.name, role=args.role,
        unit_id=unit["id"], password=_password(args), email=args.email,
    )
    print(f"Created {args.role} {auth.normalize_username(args.username)!r} (id {getattr(user, 'id', user)}).")


def cmd_reset_password(args) -> None:
    auth.set_password(connect(), None, args.username, _password(args))
    print(f"Password reset for {auth.normalize_username(args.username)!r}; their sessions are ended.")


def cmd_set_active(args) -> None:
    auth.set_active(connect(), None, args.username, args.command == "enable-user")
    print(f"{args.command}: {auth.normalize_username(args.username)!r}")


def cmd_list_units(args) -> None:
    db = connect()
    where, params = ("WHERE kind = ?", [args.kind]) if args.kind else ("", [])
    for row in db.query(f"SELECT code, kind, name FROM units {where} ORDER BY code", params):
        print(f"{row['code']:<10} {row['kind']:<16} {row['name']}")


def cmd_erase_expired(args) -> None:
    done = retention.erase_expired_tips(connect())
    print(f"erase-expired: {done['tips']} tips closed over {retention.retention_years()} years ago erased,"
          f" {done['files']} photos deleted")


def cmd_restore(args) -> None:
    # Checked before anything is replaced; the database replaced is kept beside it.
    counts = backups.restore(args.source, db_path())
    print(f"restore: {args.source} -> {db_path()} ({sum(counts.values())} rows in {len(counts)} tables)")


def cmd_check_serve(args) -> None:
    """`make serve` runs this: a live portal must not keep the demo's logins."""
    db = connect()
    names = [r[0] for r in db.execute(
        "SELECT username FROM users WHERE is_demo = 1 AND is_active = 1 AND password_hash IS NOT NULL ORDER BY id")]
    if names:
        raise PortalError("error.serve_demo_accounts", names=", ".join(names))
    print(f"Ready to serve {db_path()}")


def cmd_backup(args) -> None:
    # connect() would create an empty database where none is: a backup of nothing that reports success.
    if not db_path().is_file():
        raise DatabaseError("error.backup_no_database", path=str(db_path()))
    pages = backup(connect(), args.to)
    print(f"backup: {args.to} ({pages} pages)")


def cmd_web_fonts(args) -> None:
    written = web_fonts.write_fonts(Path(args.to))
    print(f"web-fonts: {args.to}: " + ", ".join(f"{name} {size // 1024} kB" for name, size in written.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lib.cli", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init", help="create the database and apply migrations").set_defaults(fn=cmd_init)

    p = sub.add_parser("seed-demo", help="seed the demo district into an empty database")
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=demo.DEFAULT_SEED)
    p.add_argument("--password", help="demo users' password (default: PORTAL_DEMO_PASSWORD)")
    p.set_defaults(fn=cmd_seed_demo)
    sub.add_parser("ensure-demo", help="seed the demo if the database is empty; print demo logins"
                   ).set_defaults(fn=cmd_ensure_demo)

    p = sub.add_parser("create-user", help="create a staff account (the first district admin too)")
    p.add_argument("--username", required=True, help="lower-cased; letters, digits, . _ -")
    p.add_argument("--name", required=True)
    p.add_argument("--role", required=True, choices=auth.ROLES)
    p.add_argument("--unit", required=True, help="unit code, e.g. D00 or S06")
    p.add_argument("--unit-name", help="name of the district center when creating it")
    p.add_argument("--email")
    p.add_argument("--password", help="omit to be prompted (safer: not kept in shell history)")
    p.set_defaults(fn=cmd_create_user)

    p = sub.add_parser("reset-password", help="set a new password; ends the user's sessions")
    p.add_argument("--username", required=True)
    p.add_argument("--password")
    p.set_defaults(fn=cmd_reset_password)
    for name in ("enable-user", "disable-user"):
        p = sub.add_parser(name)
        p.add_argument("--username", required=True)
        p.set_defaults(fn=cmd_set_active)

    p = sub.add_parser("list-units")
    p.add_argument("--kind", choices=["district_center", "station", "outpost"])
    p.set_defaults(fn=cmd_list_units)

    sub.add_parser("erase-expired", help="erase what senders gave of tips closed longer ago than the retention"
                   " period (the worker does it hourly)").set_defaults(fn=cmd_erase_expired)

    p = sub.add_parser("backup", help="copy the database, recent commits included, while the portal runs")
    p.add_argument("--to", required=True, help="a new file (an existing one is not overwritten)")
    p.set_defaults(fn=cmd_backup)

    p = sub.add_parser("restore", help="replace the database by a backup after an integrity check (stop the"
                                       " portal and the worker first); the replaced one is kept beside it")
    p.add_argument("--from", dest="source", required=True, help="the backup file")
    p.set_defaults(fn=cmd_restore)

    sub.add_parser("check-serve", help="refuse to serve a database that still holds demo logins"
                   ).set_defaults(fn=cmd_check_serve)

    p = sub.add_parser("web-fonts", help="write Streamlit's fonts cut to what the portal shows, for nginx")
    p.add_argument("--to", default="build/fonts", help="the folder nginx's $portal_fonts names")
    p.set_defaults(fn=cmd_web_fonts)

    args = parser.parse_args(argv)
    try:
        args.fn(args)
    except PortalError as exc:
        print(i18n.error_text(exc, "en"), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
