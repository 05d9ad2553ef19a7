-- tip_purges records every purge of tips: the hour it ran (Unix seconds at
-- a whole hour, UTC, like every time of the tip store, which the CHECK
-- holds to), how many tips it deleted, and what started it: 'manual' (an
-- operator's haven tips purge) or 'automatic' (the server's retention
-- sweep, recorded only when it deleted a tip). The row is written in the
-- transaction that deletes, so no purge goes unrecorded. It names no tip
-- and no person: a count, an hour and a kind.

CREATE TABLE tip_purges (
	id   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	hour BIGINT NOT NULL CHECK (hour % 3600 = 0),
	tips BIGINT NOT NULL CHECK (tips >= 0),
	kind TEXT NOT NULL CHECK (kind IN ('manual', 'automatic'))
);
