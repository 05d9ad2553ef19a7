-- The records of HSDS 3.0 that Haven lacked (locations, services at
-- locations, taxonomies and their terms, attributes), the fields HSDS has
-- on services, contacts (phones), hours (schedules) and areas, and the
-- origin of every record.
--
-- origin is the name of the import source that brought a record, '' for
-- the pack's own; external_id is its id in that source, unique within the
-- origin when it has one. LoadDirectory writes only origin '' and
-- ImportDirectory only its own origin. Slugs stay unique across origins.
-- content_hash is a digest of the record as last written (its fields, its
-- children and its position), so that a load or import leaves a record
-- whose hash has not changed alone. position orders records within their
-- origin; lists put the pack's records first, then each origin's.
--
-- References between records (a location's organization, a service at a
-- location's service and location, a term's taxonomy and parent, an
-- attribute's term) have no ON DELETE action: a record still referred to
-- cannot be deleted, and the store says which record refers to it.

ALTER TABLE organizations ADD COLUMN origin TEXT NOT NULL DEFAULT '';
ALTER TABLE organizations ADD COLUMN external_id TEXT NOT NULL DEFAULT '';
ALTER TABLE organizations ADD COLUMN content_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE organizations ADD COLUMN email TEXT NOT NULL DEFAULT '';
CREATE INDEX organizations_origin ON organizations (origin, position);
CREATE UNIQUE INDEX organizations_external_id ON organizations (origin, external_id) WHERE external_id <> '';

ALTER TABLE services ADD COLUMN origin TEXT NOT NULL DEFAULT '';
ALTER TABLE services ADD COLUMN external_id TEXT NOT NULL DEFAULT '';
ALTER TABLE services ADD COLUMN content_hash TEXT NOT NULL DEFAULT '';
-- status '' is none recorded (taken as active).
ALTER TABLE services ADD COLUMN status TEXT NOT NULL DEFAULT ''
	CHECK (status IN ('', 'active', 'inactive', 'defunct', 'temporarily closed'));
ALTER TABLE services ADD COLUMN url TEXT NOT NULL DEFAULT '';
ALTER TABLE services ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE services ADD COLUMN eligibility TEXT NOT NULL DEFAULT '';
ALTER TABLE services ADD COLUMN fees TEXT NOT NULL DEFAULT '';
ALTER TABLE services ADD COLUMN application_process TEXT NOT NULL DEFAULT '';
ALTER TABLE services ADD COLUMN assured_date TEXT NOT NULL DEFAULT '';
ALTER TABLE services ADD COLUMN assurer TEXT NOT NULL DEFAULT '';
CREATE INDEX services_origin ON services (origin, position);
CREATE UNIQUE INDEX services_external_id ON services (origin, external_id) WHERE external_id <> '';

CREATE TABLE service_required_documents (
	service_id BIGINT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
	position   INTEGER NOT NULL,
	document   TEXT NOT NULL,
	PRIMARY KEY (service_id, position)
);

ALTER TABLE service_areas ADD COLUMN description TEXT NOT NULL DEFAULT '';

-- The postcodes (ZIP codes) an area covers, in order.
CREATE TABLE service_area_postcodes (
	service_id    BIGINT NOT NULL,
	area_position INTEGER NOT NULL,
	position      INTEGER NOT NULL,
	postcode      TEXT NOT NULL,
	PRIMARY KEY (service_id, area_position, position),
	FOREIGN KEY (service_id, area_position) REFERENCES service_areas (service_id, position) ON DELETE CASCADE
);
CREATE INDEX service_area_postcodes_postcode ON service_area_postcodes (postcode);

-- What an HSDS phone has that a contact lacked.
ALTER TABLE contacts ADD COLUMN extension TEXT NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN phone_type TEXT NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN description TEXT NOT NULL DEFAULT '';

CREATE TABLE contact_languages (
	contact_id BIGINT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
	position   INTEGER NOT NULL,
	language   TEXT NOT NULL,
	PRIMARY KEY (contact_id, position)
);

-- What an HSDS schedule has that hours lacked.
ALTER TABLE hours ADD COLUMN valid_from TEXT NOT NULL DEFAULT '';
ALTER TABLE hours ADD COLUMN valid_to TEXT NOT NULL DEFAULT '';
ALTER TABLE hours ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE hours ADD COLUMN holidays TEXT NOT NULL DEFAULT '';

CREATE TABLE taxonomies (
	id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	slug         TEXT NOT NULL UNIQUE,
	origin       TEXT NOT NULL DEFAULT '',
	external_id  TEXT NOT NULL DEFAULT '',
	content_hash TEXT NOT NULL DEFAULT '',
	position     INTEGER NOT NULL,
	name         TEXT NOT NULL,
	description  TEXT NOT NULL DEFAULT '',
	uri          TEXT NOT NULL DEFAULT '',
	version      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX taxonomies_origin ON taxonomies (origin, position);
CREATE UNIQUE INDEX taxonomies_external_id ON taxonomies (origin, external_id) WHERE external_id <> '';

CREATE TABLE taxonomy_terms (
	id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	slug         TEXT NOT NULL UNIQUE,
	origin       TEXT NOT NULL DEFAULT '',
	external_id  TEXT NOT NULL DEFAULT '',
	content_hash TEXT NOT NULL DEFAULT '',
	position     INTEGER NOT NULL,
	taxonomy_id  BIGINT NOT NULL REFERENCES taxonomies (id),
	code         TEXT NOT NULL DEFAULT '',
	name         TEXT NOT NULL,
	description  TEXT NOT NULL DEFAULT '',
	parent_id    BIGINT REFERENCES taxonomy_terms (id),
	language     TEXT NOT NULL DEFAULT '',
	uri          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX taxonomy_terms_origin ON taxonomy_terms (origin, position);
CREATE INDEX taxonomy_terms_taxonomy ON taxonomy_terms (taxonomy_id);
CREATE INDEX taxonomy_terms_parent ON taxonomy_terms (parent_id);
CREATE UNIQUE INDEX taxonomy_terms_external_id ON taxonomy_terms (origin, external_id) WHERE external_id <> '';

-- A location's contacts and hours are one JSON document in reach
-- ({"contacts": [...], "hours": {...}}, the directory.Contact and
-- directory.Hours JSON): they are read whole with the location and never
-- searched. Its addresses, languages and accessibility have tables.
CREATE TABLE locations (
	id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	slug            TEXT NOT NULL UNIQUE,
	origin          TEXT NOT NULL DEFAULT '',
	external_id     TEXT NOT NULL DEFAULT '',
	content_hash    TEXT NOT NULL DEFAULT '',
	position        INTEGER NOT NULL,
	organization_id BIGINT REFERENCES organizations (id),
	location_type   TEXT NOT NULL CHECK (location_type IN ('physical', 'postal', 'virtual')),
	url             TEXT NOT NULL DEFAULT '',
	name            TEXT NOT NULL DEFAULT '',
	alternate_name  TEXT NOT NULL DEFAULT '',
	description     TEXT NOT NULL DEFAULT '',
	transportation  TEXT NOT NULL DEFAULT '',
	latitude        DOUBLE PRECISION CHECK (latitude BETWEEN -90 AND 90),
	longitude       DOUBLE PRECISION CHECK (longitude BETWEEN -180 AND 180),
	confidential    BOOLEAN NOT NULL,
	reach           TEXT NOT NULL DEFAULT '{}',
	source_document TEXT NOT NULL DEFAULT '',
	source_lines    TEXT NOT NULL DEFAULT '',
	source_verified TEXT NOT NULL DEFAULT ''
);
CREATE INDEX locations_origin ON locations (origin, position);
CREATE INDEX locations_organization ON locations (organization_id);
CREATE UNIQUE INDEX locations_external_id ON locations (origin, external_id) WHERE external_id <> '';

CREATE TABLE location_addresses (
	location_id    BIGINT NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
	position       INTEGER NOT NULL,
	address_type   TEXT NOT NULL,
	attention      TEXT NOT NULL DEFAULT '',
	address_1      TEXT NOT NULL DEFAULT '',
	address_2      TEXT NOT NULL DEFAULT '',
	city           TEXT NOT NULL DEFAULT '',
	region         TEXT NOT NULL DEFAULT '',
	state_province TEXT NOT NULL DEFAULT '',
	postal_code    TEXT NOT NULL DEFAULT '',
	country        TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (location_id, position)
);

CREATE TABLE location_languages (
	location_id BIGINT NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
	position    INTEGER NOT NULL,
	language    TEXT NOT NULL,
	PRIMARY KEY (location_id, position)
);

CREATE TABLE location_accessibility (
	location_id BIGINT NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
	position    INTEGER NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	details     TEXT NOT NULL DEFAULT '',
	url         TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (location_id, position)
);

-- A service at a location's own contacts and hours are in reach, as for
-- locations.
CREATE TABLE services_at_location (
	id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	slug         TEXT NOT NULL UNIQUE,
	origin       TEXT NOT NULL DEFAULT '',
	external_id  TEXT NOT NULL DEFAULT '',
	content_hash TEXT NOT NULL DEFAULT '',
	position     INTEGER NOT NULL,
	service_id   BIGINT NOT NULL REFERENCES services (id),
	location_id  BIGINT NOT NULL REFERENCES locations (id),
	description  TEXT NOT NULL DEFAULT '',
	reach        TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX services_at_location_origin ON services_at_location (origin, position);
CREATE INDEX services_at_location_service ON services_at_location (service_id);
CREATE INDEX services_at_location_location ON services_at_location (location_id);
CREATE UNIQUE INDEX services_at_location_external_id ON services_at_location (origin, external_id) WHERE external_id <> '';

-- An attribute links exactly one record to a taxonomy term, with a value.
-- It goes with its record.
CREATE TABLE attributes (
	id                     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	organization_id        BIGINT REFERENCES organizations (id) ON DELETE CASCADE,
	service_id             BIGINT REFERENCES services (id) ON DELETE CASCADE,
	location_id            BIGINT REFERENCES locations (id) ON DELETE CASCADE,
	service_at_location_id BIGINT REFERENCES services_at_location (id) ON DELETE CASCADE,
	position               INTEGER NOT NULL,
	term_id                BIGINT NOT NULL REFERENCES taxonomy_terms (id),
	value                  TEXT NOT NULL DEFAULT '',
	link_type              TEXT NOT NULL DEFAULT '',
	CHECK (num_nonnulls(organization_id, service_id, location_id, service_at_location_id) = 1)
);
CREATE INDEX attributes_organization ON attributes (organization_id, position) WHERE organization_id IS NOT NULL;
CREATE INDEX attributes_service ON attributes (service_id, position) WHERE service_id IS NOT NULL;
CREATE INDEX attributes_location ON attributes (location_id, position) WHERE location_id IS NOT NULL;
CREATE INDEX attributes_service_at_location ON attributes (service_at_location_id, position) WHERE service_at_location_id IS NOT NULL;
CREATE INDEX attributes_term ON attributes (term_id);
