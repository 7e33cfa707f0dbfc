-- Plateau's first schema, SQLite flavour. The PostgreSQL file of the same number creates the same
-- tables, columns and constraint names; only the DDL dialect differs (see src/lib.rs).
--
-- Conventions: every row carries tenant_id; times are unix milliseconds (INTEGER); ids are
-- INTEGER (interactions: sortable 128-bit ids as TEXT); JSON is TEXT; flags are 0/1.
-- Rows that point at another tenant-owned row reference (tenant_id, id), so a row can never point
-- across tenants even if a query forgot to filter; composite keys lead with tenant_id, so another
-- tenant's row never even conflicts with a write.

CREATE TABLE tenants (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    slug TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    CONSTRAINT tenants_slug_key UNIQUE (slug)
) STRICT;

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    username TEXT NOT NULL,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('agent', 'team_leader', 'supervisor', 'quality_analyst',
        'planner', 'trainer', 'manager', 'admin')),
    password_hash TEXT,
    extension TEXT,
    sip_ha1_md5 TEXT,
    sip_ha1_sha256 TEXT,
    enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at_ms INTEGER NOT NULL,
    CONSTRAINT users_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT users_username_key UNIQUE (tenant_id, username),
    CONSTRAINT users_extension_key UNIQUE (tenant_id, extension)
) STRICT;

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    last_used_at_ms INTEGER,
    revoked_at_ms INTEGER,
    CONSTRAINT api_tokens_hash_key UNIQUE (token_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
) STRICT;

CREATE TABLE queues (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    strategy TEXT NOT NULL,
    wrap_up_secs INTEGER NOT NULL CHECK (wrap_up_secs >= 0),
    ring_timeout_secs INTEGER NOT NULL CHECK (ring_timeout_secs > 0),
    max_missed_offers INTEGER NOT NULL CHECK (max_missed_offers >= 0),
    announce_period_secs INTEGER NOT NULL CHECK (announce_period_secs >= 0),
    moh_playlist TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    CONSTRAINT queues_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT queues_name_key UNIQUE (tenant_id, name)
) STRICT;

CREATE TABLE queue_members (
    tenant_id INTEGER NOT NULL,
    queue_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    priority INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, queue_id, user_id),
    FOREIGN KEY (tenant_id, queue_id) REFERENCES queues (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
CREATE INDEX queue_members_user ON queue_members (tenant_id, user_id);

CREATE TABLE flows (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    active_version INTEGER,
    created_at_ms INTEGER NOT NULL,
    CONSTRAINT flows_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT flows_name_key UNIQUE (tenant_id, name)
) STRICT;

CREATE TABLE flow_versions (
    tenant_id INTEGER NOT NULL,
    flow_id INTEGER NOT NULL,
    version INTEGER NOT NULL CHECK (version > 0),
    source TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, flow_id, version),
    FOREIGN KEY (tenant_id, flow_id) REFERENCES flows (tenant_id, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE numbers (
    e164 TEXT PRIMARY KEY,
    tenant_id INTEGER NOT NULL,
    flow_id INTEGER NOT NULL,
    created_at_ms INTEGER NOT NULL,
    FOREIGN KEY (tenant_id, flow_id) REFERENCES flows (tenant_id, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX numbers_tenant ON numbers (tenant_id);

CREATE TABLE registrations (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    aor TEXT NOT NULL,
    contact TEXT NOT NULL,
    expires_at_ms INTEGER NOT NULL,
    source TEXT NOT NULL,
    transport TEXT NOT NULL,
    call_id TEXT NOT NULL,
    cseq INTEGER NOT NULL,
    instance TEXT,
    reg_id INTEGER,
    user_agent TEXT,
    updated_at_ms INTEGER NOT NULL,
    CONSTRAINT registrations_contact_key UNIQUE (tenant_id, aor, contact),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX registrations_expiry ON registrations (expires_at_ms);
CREATE INDEX registrations_user ON registrations (tenant_id, user_id);

-- The interaction log. Two columns of an interaction are maintained by the log writer, in the
-- transaction that appends its events: last_seq (the last event's number, so numbering needs no
-- scan and concurrent writers of one interaction queue on its row) and ended_at_ms (set once, by
-- the first `ended` event, so the calls left open by a crash are found by index).
CREATE TABLE interactions (
    id TEXT PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    channel TEXT NOT NULL,
    direction TEXT NOT NULL,
    caller TEXT NOT NULL,
    dialed TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    ended_at_ms INTEGER,
    last_seq INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT interactions_tenant_id_key UNIQUE (tenant_id, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX interactions_created ON interactions (tenant_id, created_at_ms);
CREATE INDEX interactions_open ON interactions (tenant_id, id) WHERE ended_at_ms IS NULL;

CREATE TABLE interaction_events (
    tenant_id INTEGER NOT NULL,
    interaction_id TEXT NOT NULL,
    seq INTEGER NOT NULL CHECK (seq > 0),
    at_ms INTEGER NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (tenant_id, interaction_id, seq),
    FOREIGN KEY (tenant_id, interaction_id) REFERENCES interactions (tenant_id, id)
) STRICT, WITHOUT ROWID;

-- Agent events (state changes) are not tied to one interaction; their order is their id.
CREATE TABLE agent_events (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    interaction_id TEXT,
    at_ms INTEGER NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL,
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, interaction_id) REFERENCES interactions (tenant_id, id)
) STRICT;
CREATE INDEX agent_events_user ON agent_events (tenant_id, user_id, id);

CREATE TABLE recordings (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL,
    interaction_id TEXT NOT NULL,
    path TEXT NOT NULL,
    duration_ms INTEGER,
    created_at_ms INTEGER NOT NULL,
    FOREIGN KEY (tenant_id, interaction_id) REFERENCES interactions (tenant_id, id)
) STRICT;
CREATE INDEX recordings_interaction ON recordings (tenant_id, interaction_id);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    user_id INTEGER,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    details TEXT NOT NULL,
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
) STRICT;
CREATE INDEX audit_log_at ON audit_log (tenant_id, at_ms);

-- Logs are append-only: the database refuses to change or remove what was written.
CREATE TRIGGER interaction_events_no_update BEFORE UPDATE ON interaction_events
BEGIN SELECT RAISE(ABORT, 'interaction_events is append-only'); END;
CREATE TRIGGER interaction_events_no_delete BEFORE DELETE ON interaction_events
BEGIN SELECT RAISE(ABORT, 'interaction_events is append-only'); END;
CREATE TRIGGER agent_events_no_update BEFORE UPDATE ON agent_events
BEGIN SELECT RAISE(ABORT, 'agent_events is append-only'); END;
CREATE TRIGGER agent_events_no_delete BEFORE DELETE ON agent_events
BEGIN SELECT RAISE(ABORT, 'agent_events is append-only'); END;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
