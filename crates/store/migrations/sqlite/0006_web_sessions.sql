-- Web sessions (the browser's login), SQLite flavour; the PostgreSQL file of the same number
-- creates the same table, columns and constraint names.
--
-- The cookie carries a 32-byte random secret; only its SHA-256 (hex) is stored. csrf_token is
-- sent back by the page in X-CSRF-Token on unsafe requests (it proves nothing without the
-- cookie). expires_at_ms slides with use: last_seen_at_ms + the idle timeout.
CREATE TABLE web_sessions (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    secret_hash TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    last_seen_at_ms INTEGER NOT NULL,
    expires_at_ms INTEGER NOT NULL,
    CONSTRAINT web_sessions_secret_key UNIQUE (secret_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX web_sessions_user ON web_sessions (tenant_id, user_id);
CREATE INDEX web_sessions_expires ON web_sessions (expires_at_ms);

-- The user's language for the web pages ('en' or 'fr'); NULL: the browser's.
ALTER TABLE users ADD COLUMN language TEXT CHECK (language IN ('en', 'fr'));
