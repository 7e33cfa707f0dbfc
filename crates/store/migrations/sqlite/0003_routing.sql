-- Skills-based routing: agents' skills with a proficiency, the skills a queue requires of
-- every contact, and where a queue overflows to after a wait.
CREATE TABLE user_skills (
    tenant_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    skill TEXT NOT NULL,
    level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 10),
    PRIMARY KEY (tenant_id, user_id, skill),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

CREATE TABLE queue_skills (
    tenant_id INTEGER NOT NULL,
    queue_id INTEGER NOT NULL,
    skill TEXT NOT NULL,
    level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 10),
    PRIMARY KEY (tenant_id, queue_id, skill),
    FOREIGN KEY (tenant_id, queue_id) REFERENCES queues (tenant_id, id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

-- One row per queue that overflows; a queue cannot overflow into itself.
CREATE TABLE queue_overflows (
    tenant_id INTEGER NOT NULL,
    queue_id INTEGER NOT NULL,
    to_queue_id INTEGER NOT NULL,
    after_secs INTEGER NOT NULL CHECK (after_secs > 0),
    PRIMARY KEY (tenant_id, queue_id),
    CHECK (to_queue_id <> queue_id),
    FOREIGN KEY (tenant_id, queue_id) REFERENCES queues (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, to_queue_id) REFERENCES queues (tenant_id, id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
