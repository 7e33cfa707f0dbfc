-- Tickets, SLA policies, orders, dispositions, scripts and the knowledge base, SQLite flavour.
-- The PostgreSQL file of the same number creates the same tables, columns and constraint names;
-- only the DDL dialect and the two full-text search tables differ (FTS5 here, tsvector + GIN
-- there), and the repository writes both search tables with the same portable INSERT.

CREATE TABLE ticket_categories (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at_ms INTEGER NOT NULL,
    CONSTRAINT ticket_categories_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT ticket_categories_name_key UNIQUE (tenant_id, name)
) STRICT;

-- A ticket's state, tier and assignee change only through TenantStore::apply_ticket_change,
-- which checks the expected state and appends the matching ticket_events in one transaction.
-- last_seq numbers its events (as interactions.last_seq does). resolved_at_ms is the last time it
-- entered `resolved` (cleared when reopened); the *_breached_at_ms columns are set once, with the
-- sla_breached event.
CREATE TABLE tickets (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    customer_id INTEGER,
    subject TEXT NOT NULL,
    category_id INTEGER,
    state TEXT NOT NULL CHECK (state IN ('new', 'open', 'pending_customer', 'escalated',
        'resolved', 'closed', 'reopened')),
    priority TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    tier INTEGER NOT NULL CHECK (tier BETWEEN 1 AND 3),
    assigned_user_id INTEGER,
    assigned_team TEXT,
    fields TEXT NOT NULL,
    first_response_due_ms INTEGER,
    resolution_due_ms INTEGER,
    first_responded_at_ms INTEGER,
    resolved_at_ms INTEGER,
    first_response_breached_at_ms INTEGER,
    resolution_breached_at_ms INTEGER,
    last_seq INTEGER NOT NULL DEFAULT 0,
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    CONSTRAINT tickets_tenant_id_key UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id),
    FOREIGN KEY (tenant_id, category_id) REFERENCES ticket_categories (tenant_id, id),
    FOREIGN KEY (tenant_id, assigned_user_id) REFERENCES users (tenant_id, id)
) STRICT;
CREATE INDEX tickets_state ON tickets (tenant_id, state, id);
CREATE INDEX tickets_customer ON tickets (tenant_id, customer_id, id);
CREATE INDEX tickets_assigned_user ON tickets (tenant_id, assigned_user_id, id);
CREATE INDEX tickets_tier ON tickets (tenant_id, tier, id);

CREATE TABLE ticket_events (
    tenant_id INTEGER NOT NULL,
    ticket_id INTEGER NOT NULL,
    seq INTEGER NOT NULL CHECK (seq > 0),
    at_ms INTEGER NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL,
    user_id INTEGER,
    PRIMARY KEY (tenant_id, ticket_id, seq),
    FOREIGN KEY (tenant_id, ticket_id) REFERENCES tickets (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
) STRICT, WITHOUT ROWID;

-- The contacts (interactions) of a ticket.
CREATE TABLE ticket_interactions (
    tenant_id INTEGER NOT NULL,
    ticket_id INTEGER NOT NULL,
    interaction_id TEXT NOT NULL,
    linked_at_ms INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, ticket_id, interaction_id),
    FOREIGN KEY (tenant_id, ticket_id) REFERENCES tickets (tenant_id, id),
    FOREIGN KEY (tenant_id, interaction_id) REFERENCES interactions (tenant_id, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX ticket_interactions_interaction ON ticket_interactions (tenant_id, interaction_id);

-- Ticket search: one row for the subject and one per note.
CREATE VIRTUAL TABLE ticket_search USING fts5 (
    tenant_id UNINDEXED, ticket_id UNINDEXED, body,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TABLE sla_policies (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    priority TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    first_response_secs INTEGER NOT NULL CHECK (first_response_secs > 0),
    resolution_secs INTEGER NOT NULL CHECK (resolution_secs > 0),
    updated_at_ms INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, priority)
) STRICT, WITHOUT ROWID;

-- One business calendar per tenant (weekly hours and holidays, JSON read by the crm crate).
CREATE TABLE business_calendars (
    tenant_id INTEGER PRIMARY KEY REFERENCES tenants (id),
    name TEXT NOT NULL,
    calendar TEXT NOT NULL,
    updated_at_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE products (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    sku TEXT NOT NULL,
    name TEXT NOT NULL,
    unit_price_minor INTEGER NOT NULL CHECK (unit_price_minor >= 0),
    currency TEXT NOT NULL CHECK (length(currency) = 3),
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    CONSTRAINT products_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT products_sku_key UNIQUE (tenant_id, sku)
) STRICT;

CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    ticket_id INTEGER,
    customer_id INTEGER,
    interaction_id TEXT,
    status TEXT NOT NULL CHECK (status IN ('draft', 'placed', 'cancelled', 'fulfilled')),
    currency TEXT NOT NULL CHECK (length(currency) = 3),
    total_minor INTEGER NOT NULL CHECK (total_minor >= 0),
    user_id INTEGER,
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    CONSTRAINT orders_tenant_id_key UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, ticket_id) REFERENCES tickets (tenant_id, id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id),
    FOREIGN KEY (tenant_id, interaction_id) REFERENCES interactions (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
) STRICT;
CREATE INDEX orders_ticket ON orders (tenant_id, ticket_id);
CREATE INDEX orders_customer ON orders (tenant_id, customer_id);

-- Lines copy the product's sku, name and price as sold: a later price change does not rewrite
-- past orders.
CREATE TABLE order_lines (
    tenant_id INTEGER NOT NULL,
    order_id INTEGER NOT NULL,
    line_no INTEGER NOT NULL CHECK (line_no > 0),
    product_id INTEGER,
    sku TEXT NOT NULL,
    name TEXT NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_minor INTEGER NOT NULL CHECK (unit_price_minor >= 0),
    total_minor INTEGER NOT NULL CHECK (total_minor >= 0),
    PRIMARY KEY (tenant_id, order_id, line_no),
    FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id)
) STRICT, WITHOUT ROWID;

-- Wrap-up codes of a queue or of a campaign (campaigns are named; exactly one of the two is set).
CREATE TABLE dispositions (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    queue_id INTEGER,
    campaign TEXT,
    code TEXT NOT NULL,
    label TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at_ms INTEGER NOT NULL,
    CHECK ((queue_id IS NULL) <> (campaign IS NULL)),
    CONSTRAINT dispositions_tenant_id_key UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, queue_id) REFERENCES queues (tenant_id, id) ON DELETE CASCADE
) STRICT;
CREATE UNIQUE INDEX dispositions_queue_code_key ON dispositions (tenant_id, queue_id, code)
    WHERE queue_id IS NOT NULL;
CREATE UNIQUE INDEX dispositions_campaign_code_key ON dispositions (tenant_id, campaign, code)
    WHERE campaign IS NOT NULL;

-- Queues whose agents must pick a disposition before leaving wrap-up (a row means required).
CREATE TABLE disposition_required_queues (
    tenant_id INTEGER NOT NULL,
    queue_id INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, queue_id),
    FOREIGN KEY (tenant_id, queue_id) REFERENCES queues (tenant_id, id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

-- One disposition per agent per interaction (a transferred call gets one from each agent).
CREATE TABLE interaction_dispositions (
    tenant_id INTEGER NOT NULL,
    interaction_id TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    disposition_id INTEGER NOT NULL,
    code TEXT NOT NULL,
    notes TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, interaction_id, user_id),
    FOREIGN KEY (tenant_id, interaction_id) REFERENCES interactions (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, disposition_id) REFERENCES dispositions (tenant_id, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE scripts (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    active_version INTEGER,
    created_at_ms INTEGER NOT NULL,
    CONSTRAINT scripts_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT scripts_name_key UNIQUE (tenant_id, name)
) STRICT;

-- Versions are never changed or removed (runs name the version they followed).
CREATE TABLE script_versions (
    tenant_id INTEGER NOT NULL,
    script_id INTEGER NOT NULL,
    version INTEGER NOT NULL CHECK (version > 0),
    body TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, script_id, version),
    FOREIGN KEY (tenant_id, script_id) REFERENCES scripts (tenant_id, id)
) STRICT, WITHOUT ROWID;

-- Which script a queue's or a campaign's agents follow (one each; exactly one scope is set).
CREATE TABLE script_links (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL,
    script_id INTEGER NOT NULL,
    queue_id INTEGER,
    campaign TEXT,
    CHECK ((queue_id IS NULL) <> (campaign IS NULL)),
    FOREIGN KEY (tenant_id, script_id) REFERENCES scripts (tenant_id, id),
    FOREIGN KEY (tenant_id, queue_id) REFERENCES queues (tenant_id, id) ON DELETE CASCADE
) STRICT;
CREATE UNIQUE INDEX script_links_queue_key ON script_links (tenant_id, queue_id)
    WHERE queue_id IS NOT NULL;
CREATE UNIQUE INDEX script_links_campaign_key ON script_links (tenant_id, campaign)
    WHERE campaign IS NOT NULL;

CREATE TABLE script_runs (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL,
    script_id INTEGER NOT NULL,
    script_version INTEGER NOT NULL,
    interaction_id TEXT,
    ticket_id INTEGER,
    user_id INTEGER,
    path TEXT NOT NULL,
    answers TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    FOREIGN KEY (tenant_id, script_id, script_version)
        REFERENCES script_versions (tenant_id, script_id, version),
    FOREIGN KEY (tenant_id, interaction_id) REFERENCES interactions (tenant_id, id),
    FOREIGN KEY (tenant_id, ticket_id) REFERENCES tickets (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
) STRICT;
CREATE INDEX script_runs_script ON script_runs (tenant_id, script_id, script_version);

CREATE TABLE kb_articles (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    tags TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    CONSTRAINT kb_articles_tenant_id_key UNIQUE (tenant_id, id)
) STRICT;

-- Knowledge-base search: one row per article, rewritten with it.
CREATE VIRTUAL TABLE kb_search USING fts5 (
    tenant_id UNINDEXED, article_id UNINDEXED, title, body, tags,
    tokenize = 'unicode61 remove_diacritics 2'
);
-- Ranking weighs a title match most, then tags, then the text (as the PostgreSQL weights do).
INSERT INTO kb_search (kb_search, rank) VALUES ('rank', 'bm25(0.0, 0.0, 10.0, 1.0, 4.0)');

CREATE TRIGGER ticket_events_no_update BEFORE UPDATE ON ticket_events
BEGIN SELECT RAISE(ABORT, 'ticket_events is append-only'); END;
CREATE TRIGGER ticket_events_no_delete BEFORE DELETE ON ticket_events
BEGIN SELECT RAISE(ABORT, 'ticket_events is append-only'); END;
CREATE TRIGGER script_versions_no_update BEFORE UPDATE ON script_versions
BEGIN SELECT RAISE(ABORT, 'script_versions is append-only'); END;
CREATE TRIGGER script_versions_no_delete BEFORE DELETE ON script_versions
BEGIN SELECT RAISE(ABORT, 'script_versions is append-only'); END;
