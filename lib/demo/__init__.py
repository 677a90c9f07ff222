"""The demo district (海门): a generated county with 17 stations, grids, groups, pushes, tips and
mediation cases for `make run`, the tests and the bench. Nothing outside this package imports it except
the CLI (lib/cli.py), the tests and the bench; the portal asks the database whether it holds demo data."""
