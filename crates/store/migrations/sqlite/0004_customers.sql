-- Customers: identities (E.164 phones, emails, an external id from the tenant's own systems),
-- typed custom fields defined per tenant, consent flags, merged duplicates, and full-text search.
-- The PostgreSQL file of the same number creates the same tables, columns and constraint names;
-- only the search index differs (an FTS5 table here, a GIN expression index there).

CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    -- The id in the tenant's CRM or billing system; imports upsert by it.
    external_id TEXT,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    -- Custom field values, a JSON object keyed by custom_field_defs.key.
    fields TEXT NOT NULL,
    -- Unknown (NULL) until the customer says.
    consent_recording INTEGER CHECK (consent_recording IN (0, 1)),
    consent_marketing INTEGER CHECK (consent_marketing IN (0, 1)),
    -- A merged duplicate points at the customer it was merged into (never a chain).
    merged_into INTEGER,
    -- Hash of the content last written by an import or an edit: an unchanged import row is skipped.
    row_hash INTEGER NOT NULL,
    -- Lowercase words of the names, external id, emails and phones, for full-text search.
    search_text TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    CONSTRAINT customers_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT customers_external_id_key UNIQUE (tenant_id, external_id),
    CHECK (merged_into <> id),
    FOREIGN KEY (tenant_id, merged_into) REFERENCES customers (tenant_id, id)
) STRICT;
CREATE INDEX customers_merged ON customers (tenant_id, merged_into) WHERE merged_into IS NOT NULL;

-- A number may belong to several customers (a family, a switchboard): screen pop shows them all.
CREATE TABLE customer_phones (
    tenant_id INTEGER NOT NULL,
    e164 TEXT NOT NULL,
    customer_id INTEGER NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, e164, customer_id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
CREATE INDEX customer_phones_customer ON customer_phones (tenant_id, customer_id);

CREATE TABLE customer_emails (
    tenant_id INTEGER NOT NULL,
    email TEXT NOT NULL,
    customer_id INTEGER NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, email, customer_id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
CREATE INDEX customer_emails_customer ON customer_emails (tenant_id, customer_id);

CREATE TABLE custom_field_defs (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    key TEXT NOT NULL,
    label TEXT NOT NULL,
    -- The field's type and its parameters, JSON (`{"type":"text","max_len":80}`...).
    kind TEXT NOT NULL,
    required INTEGER NOT NULL CHECK (required IN (0, 1)),
    position INTEGER NOT NULL,
    CONSTRAINT custom_field_defs_pkey PRIMARY KEY (tenant_id, key)
) STRICT, WITHOUT ROWID;

-- Search: an external-content FTS5 index over customers.search_text, kept in step by triggers.
CREATE VIRTUAL TABLE customers_fts USING fts5 (
    search_text,
    content = 'customers',
    content_rowid = 'id',
    tokenize = 'unicode61'
);

CREATE TRIGGER customers_fts_insert AFTER INSERT ON customers BEGIN
    INSERT INTO customers_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;

CREATE TRIGGER customers_fts_delete AFTER DELETE ON customers BEGIN
    INSERT INTO customers_fts (customers_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
END;

CREATE TRIGGER customers_fts_update AFTER UPDATE OF search_text ON customers BEGIN
    INSERT INTO customers_fts (customers_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
    INSERT INTO customers_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;

-- A customer's calls: interactions by the caller's number.
CREATE INDEX interactions_caller ON interactions (tenant_id, caller);
