-- Form tokens that were used, so that a token works once even across a
-- restart: until it expires, a token redeemed before the restart is
-- refused after it as already used.
--
-- A row holds only a keyed hash of the token (32 bytes; the key is not in
-- the database) and the time the token expires, rounded up to the whole
-- hour (Unix seconds, UTC) like every time the tip store writes: nothing
-- about the request, and no time finer than a tip's own. Rows are deleted
-- once they have expired (secure_delete overwrites them). WITHOUT ROWID
-- stores the rows in the order of their hashes, which is random, and keeps
-- no row number that would tell the order tokens were used in.

CREATE TABLE redeemed_tokens (
	id      BLOB PRIMARY KEY CHECK (length(id) = 32),
	expires INTEGER NOT NULL CHECK (expires % 3600 = 0)
) STRICT, WITHOUT ROWID;
CREATE INDEX redeemed_tokens_expires ON redeemed_tokens (expires);
