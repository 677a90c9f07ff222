"""The message catalog, one module per domain: each defines
``MESSAGES = {key: (zh-CN text, en text)}``. Keys are ``<area>.<name>``; a key may be
defined once only (a test checks)."""

from lib.i18n.messages import (
    accounts,
    appeal_board,
    core,
    duty,
    grid_import,
    grid_map,
    group_import,
    imports_ui,
    league,
    mediation,
    online_situations,
    poster,
    pushes,
    race,
    registry,
    tip_public,
    tip_rules,
    tips,
    triage,
)

MODULES = [core, registry, group_import, grid_map, grid_import, imports_ui, pushes, poster, tips, tip_public,
           triage, tip_rules, mediation, race, appeal_board, accounts, duty,
           online_situations, league]
