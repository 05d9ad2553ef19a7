-- Tips from the public, the messages about them, the operators who read
-- them and the organization's recovery key.
--
-- Tips arrive sealed (age-encrypted) to every active operator and to the
-- recovery key; the database holds the ciphertext and a few coarse
-- workflow fields. There is no column for an IP address, a user agent, a
-- cookie or a precise time, and none may be added: every time here is Unix
-- seconds at a whole hour (UTC), which the CHECKs hold to even if a caller
-- forgets to round. Identity columns never give a purged tip's id to a new
-- one.
--
-- Deleted rows stay in the table's pages until VACUUM reclaims them, and in
-- the WAL until its segments are recycled: see package postgres.

CREATE TABLE tips (
	id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	-- receipt_hash is the keyed hash of the tipster's receipt.
	receipt_hash    BYTEA NOT NULL CHECK (octet_length(receipt_hash) = 32),
	-- reply_recipient is the tipster's age public key, derived from the
	-- receipt; replies are sealed to it.
	reply_recipient TEXT NOT NULL CHECK (substr(reply_recipient, 1, 4) = 'age1'),
	status          TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'in_review', 'closed')),
	assignee        TEXT NOT NULL DEFAULT '', -- an operator's name, '' when none
	created         BIGINT NOT NULL CHECK (created % 3600 = 0),
	updated         BIGINT NOT NULL CHECK (updated % 3600 = 0),
	-- size is the bytes of ciphertext of the tip and its attachments, and
	-- attachments their number; both are written once, with the tip.
	size            BIGINT NOT NULL CHECK (size > 0),
	attachments     INTEGER NOT NULL DEFAULT 0 CHECK (attachments >= 0),
	sealed          BYTEA NOT NULL CHECK (octet_length(sealed) > 0)
);
CREATE UNIQUE INDEX tips_receipt_hash ON tips (receipt_hash);
CREATE INDEX tips_status ON tips (status, id);
CREATE INDEX tips_updated ON tips (updated);

CREATE TABLE tip_attachments (
	id     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	tip_id BIGINT NOT NULL REFERENCES tips (id) ON DELETE CASCADE,
	sealed BYTEA NOT NULL CHECK (octet_length(sealed) > 0)
);
CREATE INDEX tip_attachments_tip ON tip_attachments (tip_id, id);

CREATE TABLE tip_messages (
	id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	tip_id  BIGINT NOT NULL REFERENCES tips (id) ON DELETE CASCADE,
	author  TEXT NOT NULL CHECK (author IN ('tipster', 'operator')),
	created BIGINT NOT NULL CHECK (created % 3600 = 0),
	sealed  BYTEA NOT NULL CHECK (octet_length(sealed) > 0)
);
CREATE INDEX tip_messages_tip ON tip_messages (tip_id, id);

-- operators are the staff tips are sealed to (those that are active).
CREATE TABLE operators (
	id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name      TEXT NOT NULL UNIQUE CHECK (name <> ''),
	recipient TEXT NOT NULL CHECK (substr(recipient, 1, 4) = 'age1'),
	active    BOOLEAN NOT NULL DEFAULT true,
	created   BIGINT NOT NULL CHECK (created % 3600 = 0)
);

-- recovery has at most one row: the organization's offline recovery key,
-- which every tip is also sealed to.
CREATE TABLE recovery (
	id        INTEGER PRIMARY KEY CHECK (id = 1),
	recipient TEXT NOT NULL CHECK (substr(recipient, 1, 4) = 'age1'),
	updated   BIGINT NOT NULL CHECK (updated % 3600 = 0)
);
