-- The directory: organizations, the services they run, and everything a
-- record holds, in normalized child tables. Every table with a position
-- column keeps the order the pack gives (records, and lists within them).
-- A fact's source (the document, the lines as text such as "3,20", and the
-- day it was verified) sits in the source_* columns of the organization,
-- service or contact it belongs to.
--
-- Organizations and services are matched by slug on every load, so their
-- ids stay stable; AUTOINCREMENT keeps a deleted record's id from being
-- given to a new one. Their children are replaced on every load.

-- meta has exactly one row: which pack the directory was loaded from
-- (NULL before the first load) and a counter bumped by every load.
CREATE TABLE meta (
	id           INTEGER PRIMARY KEY CHECK (id = 1),
	pack_id      TEXT,
	pack_hash    TEXT,
	data_version INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO meta (id) VALUES (1);

CREATE TABLE organizations (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	slug            TEXT NOT NULL UNIQUE,
	position        INTEGER NOT NULL,
	name            TEXT NOT NULL,
	alternate_name  TEXT NOT NULL DEFAULT '',
	description     TEXT NOT NULL DEFAULT '',
	website         TEXT NOT NULL DEFAULT '',
	website_text    TEXT NOT NULL DEFAULT '',
	source_document TEXT NOT NULL DEFAULT '',
	source_lines    TEXT NOT NULL DEFAULT '',
	source_verified TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX organizations_position ON organizations (position);

CREATE TABLE organization_socials (
	organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
	position        INTEGER NOT NULL,
	network         TEXT NOT NULL,
	handle          TEXT NOT NULL,
	url             TEXT NOT NULL,
	PRIMARY KEY (organization_id, position)
) STRICT;

CREATE TABLE organization_notes (
	organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
	position        INTEGER NOT NULL,
	note            TEXT NOT NULL,
	PRIMARY KEY (organization_id, position)
) STRICT;

CREATE TABLE services (
	id                    INTEGER PRIMARY KEY AUTOINCREMENT,
	slug                  TEXT NOT NULL UNIQUE,
	position              INTEGER NOT NULL,
	organization_id       INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
	name                  TEXT NOT NULL,
	alternate_name        TEXT NOT NULL DEFAULT '',
	description           TEXT NOT NULL DEFAULT '',
	kind                  TEXT NOT NULL,
	law_enforcement       INTEGER CHECK (law_enforcement IN (0, 1)),             -- NULL: the source does not say
	immigration_authority INTEGER CHECK (immigration_authority IN (0, 1)),       -- NULL: the source does not say
	anonymous_ok          INTEGER CHECK (anonymous_ok IN (0, 1)), -- NULL: the source does not say
	multilingual          INTEGER NOT NULL CHECK (multilingual IN (0, 1)),
	-- search_text is the lower-cased name, alternate name, description and
	-- organization name, written at load, for ServiceFilter.Query.
	search_text           TEXT NOT NULL,
	source_document       TEXT NOT NULL DEFAULT '',
	source_lines          TEXT NOT NULL DEFAULT '',
	source_verified       TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX services_position ON services (position);
CREATE INDEX services_organization ON services (organization_id, position);
CREATE INDEX services_kind ON services (kind, position);
CREATE INDEX services_law_enforcement ON services (law_enforcement, position);

CREATE TABLE service_topics (
	service_id INTEGER NOT NULL REFERENCES services (id) ON DELETE CASCADE,
	position   INTEGER NOT NULL,
	topic      TEXT NOT NULL,
	PRIMARY KEY (service_id, position)
) STRICT;
CREATE INDEX service_topics_topic ON service_topics (topic, service_id);

CREATE TABLE service_areas (
	service_id INTEGER NOT NULL REFERENCES services (id) ON DELETE CASCADE,
	position   INTEGER NOT NULL,
	scope      TEXT NOT NULL,
	name       TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (service_id, position)
) STRICT;

CREATE TABLE service_languages (
	service_id INTEGER NOT NULL REFERENCES services (id) ON DELETE CASCADE,
	position   INTEGER NOT NULL,
	language   TEXT NOT NULL,
	PRIMARY KEY (service_id, position)
) STRICT;

CREATE TABLE service_notes (
	service_id INTEGER NOT NULL REFERENCES services (id) ON DELETE CASCADE,
	position   INTEGER NOT NULL,
	note       TEXT NOT NULL,
	PRIMARY KEY (service_id, position)
) STRICT;

CREATE TABLE contacts (
	id              INTEGER PRIMARY KEY,
	service_id      INTEGER NOT NULL REFERENCES services (id) ON DELETE CASCADE,
	position        INTEGER NOT NULL,
	channel         TEXT NOT NULL,
	display         TEXT NOT NULL,
	display_alt     TEXT NOT NULL DEFAULT '',
	value           TEXT NOT NULL,
	scope           TEXT NOT NULL DEFAULT '',
	purpose         TEXT NOT NULL DEFAULT '',
	source_document TEXT NOT NULL DEFAULT '',
	source_lines    TEXT NOT NULL DEFAULT '',
	source_verified TEXT NOT NULL DEFAULT '',
	UNIQUE (service_id, position)
) STRICT;

CREATE TABLE contact_keywords (
	contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
	position   INTEGER NOT NULL,
	keyword    TEXT NOT NULL,
	PRIMARY KEY (contact_id, position)
) STRICT;

-- hours holds a service's hours (contact_id NULL, exactly one per service)
-- and the hours of contacts that have their own (at most one per contact).
-- service_id is set on both so that a page of services finds all its hours
-- with one query.
CREATE TABLE hours (
	id         INTEGER PRIMARY KEY,
	service_id INTEGER NOT NULL REFERENCES services (id) ON DELETE CASCADE,
	contact_id INTEGER UNIQUE REFERENCES contacts (id) ON DELETE CASCADE,
	kind       TEXT NOT NULL,
	time_zone  TEXT NOT NULL DEFAULT '',
	display    TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX hours_service ON hours (service_id);
CREATE UNIQUE INDEX hours_one_per_service ON hours (service_id) WHERE contact_id IS NULL;

-- days is the window's days joined with commas ("mon,tue"); empty means
-- every day.
CREATE TABLE hours_windows (
	hours_id INTEGER NOT NULL REFERENCES hours (id) ON DELETE CASCADE,
	position INTEGER NOT NULL,
	days     TEXT NOT NULL DEFAULT '',
	opens    TEXT NOT NULL,
	closes   TEXT NOT NULL,
	PRIMARY KEY (hours_id, position)
) STRICT;

CREATE TABLE hours_notes (
	hours_id INTEGER NOT NULL REFERENCES hours (id) ON DELETE CASCADE,
	position INTEGER NOT NULL,
	note     TEXT NOT NULL,
	PRIMARY KEY (hours_id, position)
) STRICT;
