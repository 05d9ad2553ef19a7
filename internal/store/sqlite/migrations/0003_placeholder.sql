-- PLACEHOLDER: delete this file when branch red-b is merged.
--
-- Another change adds the real migration 0003 at the same time as red-b
-- adds 0004_purges.sql, and migrate.Load wants versions without gaps, so
-- 0004 cannot load without a 0003. The merge keeps the real 0003 and
-- deletes this file: with both, Load refuses to start ("no gaps or
-- repeats"). A database migrated with this placeholder has version 3
-- recorded and would never run the real 0003: recreate such development
-- databases after the merge.
SELECT 1;
