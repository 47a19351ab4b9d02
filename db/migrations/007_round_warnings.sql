-- Up Migration

-- When each participant's screen chimes and flashes before a round ends: seconds before the end,
-- set per event. An empty list turns the warnings off.
ALTER TABLE events ADD COLUMN warn_at_seconds integer[] NOT NULL DEFAULT '{60,10}'
  CHECK (cardinality(warn_at_seconds) <= 5 AND array_position(warn_at_seconds, NULL) IS NULL AND 1 <= ALL (warn_at_seconds) AND 3600 >= ALL (warn_at_seconds));

-- Down Migration
ALTER TABLE events DROP COLUMN warn_at_seconds;
