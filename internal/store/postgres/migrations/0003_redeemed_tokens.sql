-- Form tokens that were used, so that a token works once even across a
-- restart, and across servers sharing the database: until it expires, a
-- token redeemed once is refused again as already used.
--
-- A row holds only a keyed hash of the token (32 bytes; the key is not in
-- the database) and the time the token expires, rounded up to the whole
-- hour (Unix seconds, UTC) like every time the tip store writes: nothing
-- about the request, and no time finer than a tip's own. Rows are deleted
-- once they have expired; see package postgres for what deletion leaves
-- behind until VACUUM.

CREATE TABLE redeemed_tokens (
	id      BYTEA PRIMARY KEY CHECK (octet_length(id) = 32),
	expires BIGINT NOT NULL CHECK (expires % 3600 = 0)
);
CREATE INDEX redeemed_tokens_expires ON redeemed_tokens (expires);
