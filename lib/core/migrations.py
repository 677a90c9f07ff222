"""Numbered schema migrations, applied in order at start-up.

Each migration runs in its own ``BEGIN IMMEDIATE`` transaction together with the row
that records it, so a migration that fails half-way leaves the schema as it was and
the next start tries it again. Two processes starting together (Streamlit and the
worker) serialise on the write lock; the loser sees the migration already applied.
Never edit a migration that has shipped: add a new one.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import sqlite_utils

from lib.core.clock import utcnow
from lib.core.errors import DatabaseError

Migration = tuple[int, str, "str | Callable[[sqlite_utils.Database], None]"]


def _backfill_name_standard(db: sqlite_utils.Database) -> None:
    """Migration 2's data step: mark groups whose names follow the naming standard."""
    from lib.grids import naming

    for version_sql in (
        "ALTER TABLE chat_groups ADD COLUMN webhook_url TEXT",
        "ALTER TABLE chat_groups ADD COLUMN is_name_standard INTEGER NOT NULL DEFAULT 0"
        " CHECK (is_name_standard IN (0, 1))",
        "ALTER TABLE chat_groups ADD COLUMN updated_at TEXT",
        "CREATE INDEX idx_chat_groups_name_standard ON chat_groups(station_id, is_name_standard)",
    ):
        db.conn.execute(version_sql)
    rows = db.conn.execute("SELECT id, name FROM chat_groups").fetchall()
    db.conn.executemany(
        "UPDATE chat_groups SET is_name_standard = 1 WHERE id = ?",
        [(gid,) for gid, name in rows if naming.is_compliant(name)],
    )


MIGRATIONS: list[Migration] = [
    (
        1,
        "foundation",
        """
        CREATE TABLE units (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ('district_center', 'station', 'outpost')),
            name TEXT NOT NULL,
            name_en TEXT,
            parent_id INTEGER REFERENCES units(id),
            station_id INTEGER REFERENCES units(id),
            lat REAL,
            lon REAL,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
        );
        CREATE INDEX idx_units_parent ON units(parent_id);
        CREATE INDEX idx_units_station ON units(station_id);

        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            email TEXT,
            role TEXT NOT NULL CHECK (role IN ('district_admin', 'station_admin', 'clerk')),
            unit_id INTEGER NOT NULL REFERENCES units(id),
            password_hash TEXT,
            is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
            is_demo INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
            logged_out_at TEXT,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
        );
        CREATE INDEX idx_users_unit ON users(unit_id);

        CREATE TABLE login_failures (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL,
            failed_at TEXT NOT NULL
        );
        CREATE INDEX idx_login_failures_user ON login_failures(username, failed_at);

        CREATE TABLE grids (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            category TEXT NOT NULL
                CHECK (category IN ('comprehensive', 'dedicated', 'industry', 'special', 'work')),
            section_label TEXT,
            industry_label TEXT,
            station_id INTEGER NOT NULL REFERENCES units(id),
            outpost_id INTEGER REFERENCES units(id),
            population INTEGER NOT NULL DEFAULT 0 CHECK (population >= 0),
            households INTEGER NOT NULL DEFAULT 0 CHECK (households >= 0),
            geometry TEXT,
            lat REAL,
            lon REAL,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
        );
        CREATE INDEX idx_grids_station ON grids(station_id, category);
        CREATE INDEX idx_grids_outpost ON grids(outpost_id);

        CREATE TABLE chat_groups (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            grid_id INTEGER NOT NULL REFERENCES grids(id),
            station_id INTEGER NOT NULL REFERENCES units(id),
            platform TEXT NOT NULL CHECK (platform IN ('wechat', 'wecom', 'police_messenger')),
            owner_user_id INTEGER REFERENCES users(id),
            admin_name TEXT,
            admin_phone TEXT,
            member_count INTEGER NOT NULL DEFAULT 0 CHECK (member_count >= 0),
            created_on TEXT,
            status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
        );
        CREATE INDEX idx_chat_groups_grid ON chat_groups(grid_id);
        CREATE INDEX idx_chat_groups_station ON chat_groups(station_id, status);
        CREATE INDEX idx_chat_groups_owner ON chat_groups(owner_user_id);

        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            user_id INTEGER REFERENCES users(id),
            username TEXT,
            action TEXT NOT NULL,
            entity TEXT NOT NULL,
            entity_id TEXT,
            before TEXT,
            after TEXT
        );
        CREATE INDEX idx_audit_entity ON audit_log(entity, entity_id);
        CREATE INDEX idx_audit_user ON audit_log(user_id, at);

        CREATE TABLE app_meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """,
    ),
    (2, "group_registry", _backfill_name_standard),
    (
        3,
        "grid_group_counts",
        """
        ALTER TABLE grids ADD COLUMN active_groups INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE grids ADD COLUMN active_members INTEGER NOT NULL DEFAULT 0;
        UPDATE grids SET
            active_groups = (SELECT COUNT(*) FROM chat_groups c WHERE c.grid_id = grids.id AND c.status = 'active'),
            active_members = (SELECT COALESCE(SUM(member_count), 0) FROM chat_groups c
                              WHERE c.grid_id = grids.id AND c.status = 'active');
        CREATE TRIGGER chat_groups_counts_insert AFTER INSERT ON chat_groups WHEN NEW.status = 'active'
        BEGIN
            UPDATE grids SET active_groups = active_groups + 1, active_members = active_members + NEW.member_count
            WHERE id = NEW.grid_id;
        END;
        CREATE TRIGGER chat_groups_counts_delete AFTER DELETE ON chat_groups WHEN OLD.status = 'active'
        BEGIN
            UPDATE grids SET active_groups = active_groups - 1, active_members = active_members - OLD.member_count
            WHERE id = OLD.grid_id;
        END;
        CREATE TRIGGER chat_groups_counts_update AFTER UPDATE OF grid_id, status, member_count ON chat_groups
        BEGIN
            UPDATE grids SET active_groups = active_groups - 1, active_members = active_members - OLD.member_count
            WHERE id = OLD.grid_id AND OLD.status = 'active';
            UPDATE grids SET active_groups = active_groups + 1, active_members = active_members + NEW.member_count
            WHERE id = NEW.grid_id AND NEW.status = 'active';
        END;
        CREATE INDEX idx_grids_figures ON grids(station_id, category, section_label, industry_label,
                                                population, active_groups, active_members);
        INSERT OR IGNORE INTO app_meta (key, value) VALUES ('grids_version', '0');
        CREATE TRIGGER grids_version_insert AFTER INSERT ON grids
        BEGIN
            UPDATE app_meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'grids_version';
        END;
        CREATE TRIGGER grids_version_delete AFTER DELETE ON grids
        BEGIN
            UPDATE app_meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'grids_version';
        END;
        CREATE TRIGGER grids_version_update AFTER UPDATE OF geometry, name, lat, lon, station_id ON grids
        BEGIN
            UPDATE app_meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'grids_version';
        END;
        """,
    ),
    (
        4,
        "pushes",
        """
        CREATE TABLE files (
            id INTEGER PRIMARY KEY,
            sha256 TEXT NOT NULL UNIQUE,
            mime TEXT NOT NULL,
            size INTEGER NOT NULL,
            width INTEGER,
            height INTEGER,
            path TEXT NOT NULL,
            created_by INTEGER REFERENCES users(id),
            created_at TEXT NOT NULL
        );

        CREATE TABLE content_items (
            id INTEGER PRIMARY KEY,
            category TEXT NOT NULL,
            title TEXT NOT NULL,
            body TEXT NOT NULL,
            tags TEXT NOT NULL DEFAULT '',
            is_deleted INTEGER NOT NULL DEFAULT 0 CHECK (is_deleted IN (0, 1)),
            created_by INTEGER REFERENCES users(id),
            created_at TEXT NOT NULL,
            updated_at TEXT
        );
        CREATE INDEX idx_content_items_category ON content_items(category, is_deleted);

        CREATE TABLE pushes (
            id INTEGER PRIMARY KEY,
            station_id INTEGER REFERENCES units(id),
            category TEXT NOT NULL,
            appeal_kind TEXT,
            title TEXT NOT NULL DEFAULT '',
            body TEXT NOT NULL DEFAULT '',
            fields TEXT NOT NULL DEFAULT '{}',
            photo_file_ids TEXT NOT NULL DEFAULT '[]',
            targeting TEXT NOT NULL DEFAULT '{}',
            state TEXT NOT NULL DEFAULT 'draft' CHECK (state IN
                ('draft', 'pending_review', 'approved', 'scheduled', 'sending', 'sent', 'withdrawn', 'rejected')),
            state_reason TEXT,
            scheduled_for TEXT,
            groups_targeted INTEGER NOT NULL DEFAULT 0,
            members_targeted INTEGER NOT NULL DEFAULT 0,
            created_by INTEGER NOT NULL REFERENCES users(id),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            submitted_at TEXT,
            reviewed_by INTEGER REFERENCES users(id),
            reviewed_at TEXT,
            sent_at TEXT,
            version INTEGER NOT NULL DEFAULT 1
        );
        CREATE INDEX idx_pushes_station_state ON pushes(station_id, state, id);
        CREATE INDEX idx_pushes_due ON pushes(state, scheduled_for);

        CREATE TABLE deliveries (
            id INTEGER PRIMARY KEY,
            push_id INTEGER NOT NULL REFERENCES pushes(id),
            group_id INTEGER NOT NULL REFERENCES chat_groups(id),
            station_id INTEGER NOT NULL REFERENCES units(id),
            channel TEXT NOT NULL CHECK (channel IN ('manual', 'wecom_webhook')),
            state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'confirmed')),
            parts_sent INTEGER NOT NULL DEFAULT 0,
            attempts INTEGER NOT NULL DEFAULT 0,
            lease_until TEXT,
            next_attempt_at TEXT,
            last_attempt_at TEXT,
            sent_at TEXT,
            confirmed_at TEXT,
            confirmed_by INTEGER REFERENCES users(id),
            error TEXT,
            UNIQUE (push_id, group_id)
        );
        CREATE INDEX idx_deliveries_queue ON deliveries(channel, state, next_attempt_at);
        CREATE INDEX idx_deliveries_push ON deliveries(push_id, state);
        CREATE INDEX idx_deliveries_group ON deliveries(group_id);

        ALTER TABLE chat_groups ADD COLUMN webhook_state TEXT NOT NULL DEFAULT 'ok'
            CHECK (webhook_state IN ('ok', 'broken'));
        """,
    ),
    (
        5,
        "tips",
        """
        CREATE TABLE tip_states (
            slug TEXT PRIMARY KEY,
            type TEXT NOT NULL CHECK (type IN ('open', 'closed')),
            sort INTEGER NOT NULL
        );
        INSERT INTO tip_states (slug, type, sort) VALUES
            ('new', 'open', 1), ('triaged', 'open', 2), ('assigned', 'open', 3), ('in_progress', 'open', 4),
            ('resolved', 'closed', 5), ('closed', 'closed', 6), ('duplicate', 'closed', 7),
            ('rejected', 'closed', 8), ('referred', 'closed', 9);

        CREATE TABLE sla_rules (
            kind TEXT NOT NULL,
            priority TEXT NOT NULL,
            first_response_minutes INTEGER NOT NULL CHECK (first_response_minutes > 0),
            PRIMARY KEY (kind, priority)
        );
        INSERT INTO sla_rules (kind, priority, first_response_minutes) VALUES
            ('lead', 'urgent', 10), ('lead', 'high', 30), ('lead', 'normal', 120), ('lead', 'low', 480),
            ('complaint', 'urgent', 30), ('complaint', 'high', 120), ('complaint', 'normal', 480),
            ('complaint', 'low', 1440),
            ('request', 'urgent', 60), ('request', 'high', 240), ('request', 'normal', 1440), ('request', 'low', 2880),
            ('inquiry', 'urgent', 60), ('inquiry', 'high', 240), ('inquiry', 'normal', 1440), ('inquiry', 'low', 2880);

        CREATE TABLE tips (
            id INTEGER PRIMARY KEY,
            tracking_code TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ('request', 'lead', 'inquiry', 'complaint')),
            priority TEXT NOT NULL DEFAULT 'normal' CHECK (priority IN ('urgent', 'high', 'normal', 'low')),
            priority_rank INTEGER NOT NULL DEFAULT 2,
            state TEXT NOT NULL DEFAULT 'new' REFERENCES tip_states(slug),
            is_open INTEGER NOT NULL DEFAULT 1 CHECK (is_open IN (0, 1)),
            channel TEXT NOT NULL DEFAULT 'web' CHECK (channel IN ('web', 'qr', 'group', 'phone', 'walk_in')),
            description TEXT NOT NULL,
            location_text TEXT,
            grid_id INTEGER REFERENCES grids(id),
            lat REAL,
            lon REAL,
            happened_at TEXT,
            station_id INTEGER REFERENCES units(id),
            assignee_user_id INTEGER REFERENCES users(id),
            push_id INTEGER REFERENCES pushes(id),
            is_anonymous INTEGER NOT NULL DEFAULT 0 CHECK (is_anonymous IN (0, 1)),
            contact_name TEXT,
            contact_phone TEXT,
            rating INTEGER CHECK (rating BETWEEN 1 AND 5),
            duplicate_of INTEGER REFERENCES tips(id),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            due_at TEXT NOT NULL,
            first_response_at TEXT,
            closed_at TEXT,
            created_by INTEGER REFERENCES users(id),
            version INTEGER NOT NULL DEFAULT 1
        );
        CREATE INDEX idx_tips_queue ON tips(station_id, is_open, priority_rank, due_at, id);
        CREATE INDEX idx_tips_state ON tips(station_id, state, priority_rank, due_at);
        CREATE INDEX idx_tips_open_due ON tips(is_open, due_at);
        CREATE INDEX idx_tips_assignee ON tips(assignee_user_id, is_open);
        CREATE INDEX idx_tips_push ON tips(push_id, created_at);
        CREATE INDEX idx_tips_grid ON tips(grid_id, created_at);

        CREATE TABLE tip_photos (
            tip_id INTEGER NOT NULL REFERENCES tips(id),
            file_id INTEGER NOT NULL REFERENCES files(id),
            PRIMARY KEY (tip_id, file_id)
        );

        CREATE TABLE tip_events (
            id INTEGER PRIMARY KEY,
            tip_id INTEGER NOT NULL REFERENCES tips(id),
            at TEXT NOT NULL,
            user_id INTEGER REFERENCES users(id),
            kind TEXT NOT NULL CHECK (kind IN ('created', 'state', 'assign', 'route', 'note', 'reply', 'merge',
                                                'expert', 'priority')),
            is_public INTEGER NOT NULL DEFAULT 0 CHECK (is_public IN (0, 1)),
            text TEXT,
            data TEXT
        );
        CREATE INDEX idx_tip_events_tip ON tip_events(tip_id, id);

        CREATE TABLE reply_templates (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            title TEXT NOT NULL,
            body TEXT NOT NULL,
            is_deleted INTEGER NOT NULL DEFAULT 0 CHECK (is_deleted IN (0, 1)),
            UNIQUE (kind, title)
        );

        CREATE TABLE experts (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            field TEXT NOT NULL CHECK (field IN ('lawyer', 'doctor', 'counsellor', 'anti_fraud', 'other')),
            organization TEXT,
            phone TEXT,
            note TEXT,
            is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1))
        );

        CREATE TABLE intake_events (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL,
            at TEXT NOT NULL
        );
        CREATE INDEX idx_intake_events_key ON intake_events(key, at);
        """,
    ),
    (
        6,
        "tip_queue_indexes",
        # Measured at 1,000,000 tips: the first page of every queue filter in ~1 ms with these,
        # 78 ms (a sort of ~45,000 open tips) without. idx_tips_open_due must go: while it
        # exists SQLite never picks the partial indexes.
        """
        DROP INDEX idx_tips_open_due;
        CREATE INDEX idx_tips_open_rank ON tips(is_open, priority_rank, due_at, id);
        CREATE INDEX idx_tips_unanswered ON tips(is_open, first_response_at, priority_rank, due_at, id)
            WHERE is_open = 1 AND first_response_at IS NULL;
        CREATE INDEX idx_tips_unanswered_station
            ON tips(station_id, is_open, first_response_at, priority_rank, due_at, id)
            WHERE is_open = 1 AND first_response_at IS NULL;
        CREATE INDEX idx_tips_push_queue ON tips(push_id, is_open, priority_rank, due_at, id)
            WHERE push_id IS NOT NULL;
        """,
    ),
    (
        7,
        "mediation",
        # Remote video mediation (远程视频调解). A case's state is a row of mediation_case_states
        # (slug + open/closed type, like tip_states); its parties, video sessions and timeline hang
        # off it. tip_id is SET NULL when a tip is deleted: a case outlives the tip it came from.
        # At most one open case per tip is a partial unique index, so two clerks converting the
        # same tip at once cannot both succeed. tip_events is rebuilt (SQLite cannot alter a
        # CHECK) to accept the 'mediation_opened' event written when a tip becomes a case.
        """
        CREATE TABLE mediation_case_states (
            slug TEXT PRIMARY KEY,
            type TEXT NOT NULL CHECK (type IN ('open', 'closed')),
            sort INTEGER NOT NULL
        );
        INSERT INTO mediation_case_states (slug, type, sort) VALUES
            ('accepted', 'open', 1), ('scheduled', 'open', 2), ('settled', 'open', 3), ('not_settled', 'open', 4),
            ('closed', 'closed', 5), ('withdrawn', 'closed', 6);

        CREATE TABLE mediation_cases (
            id INTEGER PRIMARY KEY,
            case_no TEXT NOT NULL UNIQUE,
            case_year INTEGER NOT NULL,
            case_seq INTEGER NOT NULL CHECK (case_seq > 0),
            station_id INTEGER NOT NULL REFERENCES units(id),
            tip_id INTEGER REFERENCES tips(id) ON DELETE SET NULL,
            title TEXT NOT NULL,
            dispute_type TEXT NOT NULL,
            summary TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'accepted' REFERENCES mediation_case_states(slug),
            is_open INTEGER NOT NULL DEFAULT 1 CHECK (is_open IN (0, 1)),
            mediator_user_id INTEGER REFERENCES users(id),
            outcome TEXT,
            agreement_amount REAL CHECK (agreement_amount >= 0),
            created_by INTEGER REFERENCES users(id),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            closed_at TEXT,
            version INTEGER NOT NULL DEFAULT 1,
            UNIQUE (station_id, case_year, case_seq)
        );
        CREATE INDEX idx_mediation_cases_state ON mediation_cases(station_id, state, updated_at);
        CREATE INDEX idx_mediation_cases_open ON mediation_cases(station_id, is_open, updated_at);
        CREATE INDEX idx_mediation_cases_updated ON mediation_cases(updated_at);
        CREATE INDEX idx_mediation_cases_tip ON mediation_cases(tip_id);
        CREATE UNIQUE INDEX idx_mediation_cases_open_tip ON mediation_cases(tip_id)
            WHERE is_open = 1 AND tip_id IS NOT NULL;
        CREATE INDEX idx_mediation_cases_mediator ON mediation_cases(mediator_user_id, is_open);

        CREATE TABLE mediation_parties (
            id INTEGER PRIMARY KEY,
            case_id INTEGER NOT NULL REFERENCES mediation_cases(id),
            role TEXT NOT NULL CHECK (role IN ('applicant', 'respondent', 'other')),
            name TEXT NOT NULL,
            phone TEXT,
            country TEXT,
            time_zone TEXT NOT NULL DEFAULT 'Asia/Shanghai',
            language TEXT NOT NULL DEFAULT 'zh',
            note TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX idx_mediation_parties_case ON mediation_parties(case_id, id);

        CREATE TABLE mediation_sessions (
            id INTEGER PRIMARY KEY,
            case_id INTEGER NOT NULL REFERENCES mediation_cases(id),
            starts_at TEXT NOT NULL,
            duration_minutes INTEGER NOT NULL CHECK (duration_minutes BETWEEN 5 AND 480),
            platform TEXT NOT NULL,
            room TEXT,
            state TEXT NOT NULL DEFAULT 'planned' CHECK (state IN ('planned', 'held', 'missed', 'cancelled')),
            note TEXT,
            created_by INTEGER REFERENCES users(id),
            created_at TEXT NOT NULL,
            recorded_by INTEGER REFERENCES users(id),
            recorded_at TEXT
        );
        CREATE INDEX idx_mediation_sessions_case ON mediation_sessions(case_id, starts_at);
        CREATE INDEX idx_mediation_sessions_planned ON mediation_sessions(starts_at) WHERE state = 'planned';

        CREATE TABLE mediation_events (
            id INTEGER PRIMARY KEY,
            case_id INTEGER NOT NULL REFERENCES mediation_cases(id),
            at TEXT NOT NULL,
            user_id INTEGER REFERENCES users(id),
            kind TEXT NOT NULL,
            text TEXT,
            data TEXT
        );
        CREATE INDEX idx_mediation_events_case ON mediation_events(case_id, id);

        CREATE TABLE tip_events_new (
            id INTEGER PRIMARY KEY,
            tip_id INTEGER NOT NULL REFERENCES tips(id),
            at TEXT NOT NULL,
            user_id INTEGER REFERENCES users(id),
            kind TEXT NOT NULL CHECK (kind IN ('created', 'state', 'assign', 'route', 'note', 'reply', 'merge',
                                                'expert', 'priority', 'mediation_opened')),
            is_public INTEGER NOT NULL DEFAULT 0 CHECK (is_public IN (0, 1)),
            text TEXT,
            data TEXT
        );
        INSERT INTO tip_events_new (id, tip_id, at, user_id, kind, is_public, text, data)
            SELECT id, tip_id, at, user_id, kind, is_public, text, data FROM tip_events;
        DROP TABLE tip_events;
        ALTER TABLE tip_events_new RENAME TO tip_events;
        CREATE INDEX idx_tip_events_tip ON tip_events(tip_id, id);
        """,
    ),
    (
        8,
        "expert_answer_index",
        # The expert directory counts each expert's answers (tip_events of kind 'expert', the
        # expert in data.expert_id): without this partial index that is a scan of every event.
        """
        CREATE INDEX idx_tip_events_expert ON tip_events (json_extract(data, '$.expert_id')) WHERE kind = 'expert';
        """,
    ),
    (
        9,
        "partial_indexes",
        # Rows with no push, no assignee or no user (a public tip, and its audit row) need no entry
        # in the indexes that are only ever searched by an equal value: each entry is one more page
        # written at every intake. Every query of these columns compares with "=" or "IN", which
        # lets SQLite use the partial index.
        """
        DROP INDEX idx_tips_push;
        CREATE INDEX idx_tips_push ON tips(push_id, created_at) WHERE push_id IS NOT NULL;
        DROP INDEX idx_tips_assignee;
        CREATE INDEX idx_tips_assignee ON tips(assignee_user_id, is_open) WHERE assignee_user_id IS NOT NULL;
        DROP INDEX idx_audit_user;
        CREATE INDEX idx_audit_user ON audit_log(user_id, at) WHERE user_id IS NOT NULL;
        """,
    ),
    (
        10,
        "tip_retention",
        # What a sender gave is erased some years after the tip is closed (lib/tips/retention.py); the
        # tip row stays, marked. The partial index holds closed tips not yet erased only: a new
        # tip (closed_at NULL) writes no entry, so intake pays nothing for it.
        """
        ALTER TABLE tips ADD COLUMN erased_at TEXT;
        CREATE INDEX idx_tips_to_erase ON tips(closed_at) WHERE closed_at IS NOT NULL AND erased_at IS NULL;
        """,
    ),
    (
        11,
        "appeal_race",
        # The appeal race (issue #10):
        # - Two clocks. The first-response clock stops only at the first public reply (what the sender
        #   reads on the tracker) or a logged call-back, not at an internal step such as an assignment;
        #   first_response_at is recomputed from the history on that definition. A second clock,
        #   resolve_due_at (from sla_rules.resolution_minutes), runs until the tip is resolved.
        # - Queue lanes: 0 = an unanswered tip on an active appeal, 1 = unanswered, 2 = answered; within a
        #   lane by the due time of the clock that runs (lane_due_at). Every queue filter reads one index
        #   in that order; the old priority-ordered indexes go (fewer index pages per intake, too).
        # - Appeals close (found / solved / withdrawn / expired after 30 days unclosed) and may have a
        #   follow-up push; per-user notices tell authors and reviewers what happened to their pushes.
        # - tip_events takes 'callback' (a call-back to the sender) and 'addition' (the sender added
        #   information on the tracker): SQLite cannot alter a CHECK, so the table is rebuilt.
        """
        ALTER TABLE sla_rules ADD COLUMN resolution_minutes INTEGER NOT NULL DEFAULT 10080
            CHECK (resolution_minutes > 0);
        UPDATE sla_rules SET resolution_minutes = CASE
            WHEN kind = 'inquiry' THEN (CASE priority WHEN 'urgent' THEN 480 WHEN 'high' THEN 1440
                                                      WHEN 'normal' THEN 2880 ELSE 4320 END)
            ELSE (CASE priority WHEN 'urgent' THEN 1440 WHEN 'high' THEN 4320 WHEN 'normal' THEN 10080 ELSE 20160 END)
        END;

        ALTER TABLE pushes ADD COLUMN appeal_closed_at TEXT;
        ALTER TABLE pushes ADD COLUMN appeal_outcome TEXT
            CHECK (appeal_outcome IN ('found', 'solved', 'withdrawn', 'expired'));
        ALTER TABLE pushes ADD COLUMN follow_up_of INTEGER REFERENCES pushes(id);
        UPDATE pushes SET appeal_closed_at = strftime('%Y-%m-%dT%H:%M:%SZ', sent_at, '+30 days'),
                          appeal_outcome = 'expired'
            WHERE category = 'appeal' AND state IN ('sending', 'sent') AND sent_at IS NOT NULL
              AND sent_at < strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-30 days');
        CREATE INDEX idx_pushes_active_appeals ON pushes(station_id, sent_at)
            WHERE category = 'appeal' AND state IN ('sending', 'sent') AND appeal_closed_at IS NULL;

        CREATE TABLE notices (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id),
            at TEXT NOT NULL,
            kind TEXT NOT NULL,
            entity TEXT NOT NULL,
            entity_id INTEGER,
            data TEXT,
            seen_at TEXT
        );
        CREATE INDEX idx_notices_user ON notices(user_id, id);
        CREATE INDEX idx_notices_unseen ON notices(user_id, id) WHERE seen_at IS NULL;

        CREATE TABLE tip_events_new (
            id INTEGER PRIMARY KEY,
            tip_id INTEGER NOT NULL REFERENCES tips(id),
            at TEXT NOT NULL,
            user_id INTEGER REFERENCES users(id),
            kind TEXT NOT NULL CHECK (kind IN ('created', 'state', 'assign', 'route', 'note', 'reply', 'merge',
                                                'expert', 'priority', 'mediation_opened', 'callback', 'addition')),
            is_public INTEGER NOT NULL DEFAULT 0 CHECK (is_public IN (0, 1)),
            text TEXT,
            data TEXT
        );
        INSERT INTO tip_events_new (id, tip_id, at, user_id, kind, is_public, text, data)
            SELECT id, tip_id, at, user_id, kind, is_public, text, data FROM tip_events;
        DROP TABLE tip_events;
        ALTER TABLE tip_events_new RENAME TO tip_events;
        CREATE INDEX idx_tip_events_tip ON tip_events(tip_id, id);
        CREATE INDEX idx_tip_events_expert ON tip_events (json_extract(data, '$.expert_id')) WHERE kind = 'expert';

        ALTER TABLE tips ADD COLUMN lane INTEGER NOT NULL DEFAULT 1 CHECK (lane IN (0, 1, 2));
        ALTER TABLE tips ADD COLUMN lane_due_at TEXT;
        ALTER TABLE tips ADD COLUMN resolve_due_at TEXT;
        UPDATE tips SET first_response_at = (
            SELECT MIN(e.at) FROM tip_events e
            WHERE e.tip_id = tips.id AND ((e.kind = 'reply' AND e.is_public = 1) OR e.kind = 'callback'));
        UPDATE tips SET resolve_due_at = strftime('%Y-%m-%dT%H:%M:%SZ', created_at, '+' || COALESCE(
            (SELECT r.resolution_minutes FROM sla_rules r WHERE r.kind = tips.kind AND r.priority = tips.priority),
            10080) || ' minutes');
        UPDATE tips SET lane = CASE
            WHEN first_response_at IS NOT NULL THEN 2
            WHEN push_id IN (SELECT id FROM pushes WHERE category = 'appeal' AND state IN ('sending', 'sent')
                             AND appeal_closed_at IS NULL) THEN 0
            ELSE 1 END;
        UPDATE tips SET lane_due_at = CASE WHEN lane = 2 THEN resolve_due_at ELSE due_at END;

        DROP INDEX idx_tips_queue;
        DROP INDEX idx_tips_state;
        DROP INDEX idx_tips_open_rank;
        DROP INDEX idx_tips_unanswered;
        DROP INDEX idx_tips_unanswered_station;
        DROP INDEX idx_tips_push_queue;
        CREATE INDEX idx_tips_lane_station ON tips(station_id, is_open, lane, lane_due_at, id);
        CREATE INDEX idx_tips_lane ON tips(is_open, lane, lane_due_at, id);
        CREATE INDEX idx_tips_state_lane ON tips(station_id, state, lane, lane_due_at, id);
        CREATE INDEX idx_tips_push_lane ON tips(push_id, is_open, lane, lane_due_at, id) WHERE push_id IS NOT NULL;
        """,
    ),
    (
        12,
        "queue_indexes",
        # Measured at 1M tips (make bench, triage_first_page_1M): a state filter (new, referred …) is
        # served in queue order district-wide, and a station's share of one state is small enough to
        # filter on the way (lib/tips/tips.py writes "+station_id" then). "All states" of a station and
        # "mine" get their own ordered index (the assignee's replaces the plain one).
        """
        DROP INDEX idx_tips_state_lane;
        CREATE INDEX idx_tips_state_lane ON tips(state, lane, lane_due_at, id);
        CREATE INDEX idx_tips_station_lane ON tips(station_id, lane, lane_due_at, id);
        DROP INDEX idx_tips_assignee;
        CREATE INDEX idx_tips_assignee ON tips(assignee_user_id, is_open, lane, lane_due_at, id)
            WHERE assignee_user_id IS NOT NULL;
        """,
    ),
    (
        13,
        "file_uses",
        # files.read_file asks which records use a file before it hands out the bytes; erasure
        # (files.delete_unused) asks the same. Without this index each ask scans every tip photo.
        "CREATE INDEX IF NOT EXISTS idx_tip_photos_file ON tip_photos(file_id);",
    ),
    (
        14,
        "must_change_password",
        # A password an admin set (a new account, a reset) is known to two people: its owner must
        # replace it at the first login before any other page opens.
        "ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0"
        " CHECK (must_change_password IN (0, 1));",
    ),
    (
        15,
        "intake_counts",
        # The public form's rate-limit counts are written inside every tip's transaction: one
        # B-tree keyed (key, at) with a count per second instead of a table and its index saves a
        # page per tip in the write-ahead log (make bench, intake_throughput_ratio).
        """
        DROP TABLE intake_events;
        CREATE TABLE intake_events (
            key TEXT NOT NULL,
            at TEXT NOT NULL,
            hits INTEGER NOT NULL DEFAULT 1 CHECK (hits > 0),
            PRIMARY KEY (key, at)
        ) WITHOUT ROWID;
        """,
    ),
    (16, "duty", lambda db: _duty(db)),
    (
        17,
        "closed_tips_covering",
        # The league table (数据看板) reads the tips closed in a range: their station, officer, grid and
        # arrival. The partial index of closed tips (open ones have no entry: intake pays nothing) now
        # carries those columns, so a month of closures is read from the index, not row by row.
        """
        DROP INDEX idx_tips_to_erase;
        CREATE INDEX idx_tips_to_erase ON tips(closed_at, station_id, assignee_user_id, grid_id, created_at,
                                               duplicate_of, state) WHERE closed_at IS NOT NULL AND erased_at IS NULL;
        """,
    ),
]
"""(version, name, SQL text or a function of the database run inside the transaction).

Migration 3 keeps each grid's count of active groups and their members in step with
``chat_groups`` by triggers (every write path, imports included, stays consistent), and
bumps ``app_meta.grids_version`` whenever grids change, so map geometry can be cached. ``chat_groups.station_id`` copies its grid's station so that
the scope filter of every group query is one indexed column, not a join."""


_DUTY_SQL = """
    -- The five duty areas (issue #15). A duty standard is versioned: editing one closes the current
    -- row (effective_to) and adds a new row from the next period on, so a past period is always
    -- measured against the standard it had. code is the standard's name across its versions.
    CREATE TABLE duty_standards (
        id INTEGER PRIMARY KEY,
        code TEXT NOT NULL,
        area TEXT NOT NULL CHECK (area IN ('management', 'service', 'foundation', 'prevention', 'publicity')),
        measure TEXT NOT NULL,
        scope TEXT NOT NULL CHECK (scope IN ('officer', 'outpost', 'station')),
        period TEXT NOT NULL CHECK (period IN ('daily', 'weekly', 'monthly')),
        threshold REAL NOT NULL CHECK (threshold >= 0),
        params TEXT NOT NULL DEFAULT '{}',
        text_zh TEXT NOT NULL,
        text_en TEXT NOT NULL,
        fix_days INTEGER NOT NULL CHECK (fix_days > 0),
        effective_from TEXT NOT NULL,
        effective_to TEXT,
        created_by INTEGER REFERENCES users(id),
        created_at TEXT NOT NULL,
        CHECK (effective_to IS NULL OR effective_to > effective_from)
    );
    CREATE INDEX idx_duty_standards_code ON duty_standards(code, effective_from);

    -- A closed period's figures, written by the worker each night: a month can be reviewed after the
    -- records have changed.
    CREATE TABLE duty_snapshots (
        standard_id INTEGER NOT NULL REFERENCES duty_standards(id),
        period_start TEXT NOT NULL,
        subject_kind TEXT NOT NULL CHECK (subject_kind IN ('officer', 'outpost', 'station')),
        subject_id INTEGER NOT NULL,
        station_id INTEGER NOT NULL REFERENCES units(id),
        value REAL,
        numerator REAL,
        denominator REAL,
        status TEXT NOT NULL CHECK (status IN ('done', 'missed')),
        computed_at TEXT NOT NULL,
        PRIMARY KEY (standard_id, period_start, subject_kind, subject_id)
    ) WITHOUT ROWID;
    CREATE INDEX idx_duty_snapshots_station ON duty_snapshots(station_id, period_start);

    -- 查纠整改: a missed standard (or an inspection's finding) followed until verified or explained.
    CREATE TABLE duty_problem_states (
        slug TEXT PRIMARY KEY,
        type TEXT NOT NULL CHECK (type IN ('open', 'closed')),
        sort INTEGER NOT NULL
    );
    INSERT INTO duty_problem_states (slug, type, sort) VALUES
        ('open', 'open', 1), ('rectifying', 'open', 2), ('verified', 'closed', 3), ('explained', 'closed', 4);
    CREATE TABLE duty_problems (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL CHECK (source IN ('checklist', 'inspection')),
        standard_id INTEGER REFERENCES duty_standards(id),
        code TEXT,
        area TEXT NOT NULL CHECK (area IN ('management', 'service', 'foundation', 'prevention', 'publicity')),
        subject_kind TEXT NOT NULL CHECK (subject_kind IN ('group', 'grid', 'officer', 'outpost', 'station')),
        subject_id INTEGER NOT NULL,
        station_id INTEGER NOT NULL REFERENCES units(id),
        title TEXT NOT NULL,
        detail TEXT,
        period_start TEXT,
        value REAL,
        threshold REAL,
        owner_user_id INTEGER REFERENCES users(id),
        due_at TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'open' REFERENCES duty_problem_states(slug),
        is_open INTEGER NOT NULL DEFAULT 1 CHECK (is_open IN (0, 1)),
        explanation TEXT,
        explained_by INTEGER REFERENCES users(id),
        explained_at TEXT,
        accepted_by INTEGER REFERENCES users(id),
        escalated_at TEXT,
        file_id INTEGER REFERENCES files(id),
        checked_at TEXT,
        checked_value REAL,
        created_by INTEGER REFERENCES users(id),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        closed_at TEXT,
        version INTEGER NOT NULL DEFAULT 1
    );
    -- One open problem per standard and subject: a standard missed again adds to it, not a new row.
    CREATE UNIQUE INDEX idx_duty_problems_one_open ON duty_problems(code, subject_kind, subject_id)
        WHERE is_open = 1 AND source = 'checklist';
    CREATE INDEX idx_duty_problems_station ON duty_problems(station_id, is_open, due_at);
    CREATE INDEX idx_duty_problems_owner ON duty_problems(owner_user_id, is_open) WHERE owner_user_id IS NOT NULL;

    -- 网情处置: something that happened inside a group, and its handling.
    CREATE TABLE online_situation_states (
        slug TEXT PRIMARY KEY,
        type TEXT NOT NULL CHECK (type IN ('open', 'closed')),
        sort INTEGER NOT NULL
    );
    INSERT INTO online_situation_states (slug, type, sort) VALUES
        ('reported', 'open', 1), ('verifying', 'open', 2), ('handled', 'open', 3), ('closed', 'closed', 4);
    CREATE TABLE online_situations (
        id INTEGER PRIMARY KEY,
        group_id INTEGER NOT NULL REFERENCES chat_groups(id),
        station_id INTEGER NOT NULL REFERENCES units(id),
        category TEXT NOT NULL
            CHECK (category IN ('rumour', 'harmful', 'illegal', 'conflict', 'disorder', 'opinion_risk')),
        severity TEXT NOT NULL CHECK (severity IN ('general', 'serious', 'severe')),
        posted_text TEXT NOT NULL,
        posted_at TEXT,
        screenshot_file_id INTEGER REFERENCES files(id),
        state TEXT NOT NULL DEFAULT 'reported' REFERENCES online_situation_states(slug),
        is_open INTEGER NOT NULL DEFAULT 1 CHECK (is_open IN (0, 1)),
        handling TEXT CHECK (handling IN ('rebuttal', 'content_removed', 'member_removed', 'referred', 'case')),
        handling_note TEXT,
        first_action_due_at TEXT NOT NULL,
        first_action_at TEXT,
        needs_sign_off INTEGER NOT NULL DEFAULT 0 CHECK (needs_sign_off IN (0, 1)),
        signed_off_by INTEGER REFERENCES users(id),
        signed_off_at TEXT,
        rebuttal_push_id INTEGER REFERENCES pushes(id),
        reported_by INTEGER NOT NULL REFERENCES users(id),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        closed_at TEXT,
        version INTEGER NOT NULL DEFAULT 1
    );
    CREATE INDEX idx_online_situations_station ON online_situations(station_id, is_open, first_action_due_at);
    CREATE INDEX idx_online_situations_group ON online_situations(group_id, created_at);

    -- 基础: "member counts updated within 30 days" needs the date the count was last confirmed.
    ALTER TABLE chat_groups ADD COLUMN members_updated_at TEXT;
    UPDATE chat_groups SET members_updated_at = COALESCE(updated_at, created_at);
"""


def _duty(db: sqlite_utils.Database) -> None:
    """Migration 16: the duty tables, then the checked-in default standards (``data/duty_standards.json``,
    each checked by lib.duty.standards.clean in tests/test_duty_checklist.py), in force from the start."""
    for statement in _statements(_DUTY_SQL):
        db.conn.execute(statement)
    defaults = json.loads((Path(__file__).resolve().parents[2] / "data" / "duty_standards.json").read_text("utf-8"))
    now = utcnow()
    for row in defaults["standards"]:
        db.conn.execute(
            "INSERT INTO duty_standards (code, area, measure, scope, period, threshold, params, text_zh, text_en,"
            " fix_days, effective_from, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '2000-01-01', ?)",
            [row["code"], row["code"].split(".")[0], row["measure"], row["scope"], row["period"], row["threshold"],
             json.dumps(row.get("params") or {}, sort_keys=True), row["text_zh"], row["text_en"], row["fix_days"],
             now])


def _ensure_version_table(db: sqlite_utils.Database) -> None:
    db.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )


def applied_versions(db: sqlite_utils.Database) -> set[int]:
    """Versions already applied to this database."""
    _ensure_version_table(db)
    return {row[0] for row in db.execute("SELECT version FROM schema_migrations")}


def apply_migrations(
    db: sqlite_utils.Database, migrations: list[Migration] | None = None
) -> list[int]:
    """Apply every pending migration; return the versions applied now.

    A failing migration is rolled back whole and raises :class:`DatabaseError` with the
    key ``error.migration_failed``; migrations before it stay applied.
    """
    migrations = MIGRATIONS if migrations is None else migrations
    try:
        _ensure_version_table(db)
        if applied_versions(db) >= {m[0] for m in migrations}:
            return []
    except sqlite3.DatabaseError as exc:
        key = "error.db_corrupt" if "not a database" in str(exc) else "error.db_unwritable"
        raise DatabaseError(key, path=getattr(db, "path", "?"), detail=str(exc)) from exc
    done: list[int] = []
    for version, name, sql in sorted(migrations, key=lambda m: m[0]):
        try:
            db.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as exc:
            raise DatabaseError("error.db_unwritable", path=getattr(db, "path", "?"), detail=str(exc)) from exc
        try:
            # Re-check under the write lock: another process may have applied it.
            if db.execute(
                "SELECT 1 FROM schema_migrations WHERE version = ?", [version]
            ).fetchone():
                db.conn.execute("COMMIT")
                continue
            if callable(sql):
                sql(db)
            else:
                # executescript() would COMMIT first; run statement by statement instead.
                for statement in _statements(sql):
                    db.conn.execute(statement)
            db.conn.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                [version, name, utcnow()],
            )
            db.conn.execute("COMMIT")
            done.append(version)
        except sqlite3.DatabaseError as exc:
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            raise DatabaseError(
                "error.migration_failed", version=version, name=name, detail=str(exc)
            ) from exc
    return done


def _statements(sql: str) -> list[str]:
    statements, current = [], []
    for line in sql.splitlines(keepends=True):
        current.append(line)
        text = "".join(current).strip()
        if text and sqlite3.complete_statement(text):
            statements.append(text)
            current = []
    rest = "".join(current).strip()
    if rest:
        statements.append(rest)
    return statements
