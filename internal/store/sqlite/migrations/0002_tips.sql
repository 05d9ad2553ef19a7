-- Tips from the public, the messages about them, the operators who read
-- them and the organization's recovery key.
--
-- Tips arrive sealed (age-encrypted) to every active operator and to the
-- recovery key; the database holds the ciphertext and a few coarse
-- workflow fields. There is no column for an IP address, a user agent, a
-- cookie or a precise time, and none may be added: every time here is Unix
-- seconds at a whole hour (UTC), which the CHECKs hold to even if a caller
-- forgets to round. AUTOINCREMENT keeps a purged tip's id from being given
-- to a new one.
--
-- Deletion is real: the store runs with secure_delete ON, so deleted rows
-- are overwritten with zeros, and empties the WAL after a purge.

CREATE TABLE tips (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	-- receipt_hash is the keyed hash of the tipster's receipt.
	receipt_hash    BLOB NOT NULL CHECK (length(receipt_hash) = 32),
	-- reply_recipient is the tipster's age public key, derived from the
	-- receipt; replies are sealed to it.
	reply_recipient TEXT NOT NULL CHECK (substr(reply_recipient, 1, 4) = 'age1'),
	status          TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'in_review', 'closed')),
	assignee        TEXT NOT NULL DEFAULT '', -- an operator's name, '' when none
	created         INTEGER NOT NULL CHECK (created % 3600 = 0),
	updated         INTEGER NOT NULL CHECK (updated % 3600 = 0),
	-- size is the bytes of ciphertext of the tip and its attachments, and
	-- attachments their number; both are written once, with the tip.
	size            INTEGER NOT NULL CHECK (size > 0),
	attachments     INTEGER NOT NULL DEFAULT 0 CHECK (attachments >= 0),
	sealed          BLOB NOT NULL CHECK (length(sealed) > 0)
) STRICT;
CREATE UNIQUE INDEX tips_receipt_hash ON tips (receipt_hash);
CREATE INDEX tips_status ON tips (status, id);
CREATE INDEX tips_updated ON tips (updated);

CREATE TABLE tip_attachments (
	id     INTEGER PRIMARY KEY AUTOINCREMENT,
	tip_id INTEGER NOT NULL REFERENCES tips (id) ON DELETE CASCADE,
	sealed BLOB NOT NULL CHECK (length(sealed) > 0)
) STRICT;
CREATE INDEX tip_attachments_tip ON tip_attachments (tip_id, id);

CREATE TABLE tip_messages (
	id      INTEGER PRIMARY KEY AUTOINCREMENT,
	tip_id  INTEGER NOT NULL REFERENCES tips (id) ON DELETE CASCADE,
	author  TEXT NOT NULL CHECK (author IN ('tipster', 'operator')),
	created INTEGER NOT NULL CHECK (created % 3600 = 0),
	sealed  BLOB NOT NULL CHECK (length(sealed) > 0)
) STRICT;
CREATE INDEX tip_messages_tip ON tip_messages (tip_id, id);

-- operators are the staff tips are sealed to (those that are active).
CREATE TABLE operators (
	id        INTEGER PRIMARY KEY AUTOINCREMENT,
	name      TEXT NOT NULL UNIQUE CHECK (name <> ''),
	recipient TEXT NOT NULL CHECK (substr(recipient, 1, 4) = 'age1'),
	active    INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
	created   INTEGER NOT NULL CHECK (created % 3600 = 0)
) STRICT;

-- recovery has at most one row: the organization's offline recovery key,
-- which every tip is also sealed to.
CREATE TABLE recovery (
	id        INTEGER PRIMARY KEY CHECK (id = 1),
	recipient TEXT NOT NULL CHECK (substr(recipient, 1, 4) = 'age1'),
	updated   INTEGER NOT NULL CHECK (updated % 3600 = 0)
) STRICT;
