-- The tenant's time zone (an IANA name such as Europe/Paris): business hours, calendars and the
-- day boundaries of its reports are in it.
ALTER TABLE tenants ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
