-- Up Migration

-- The format of each round (mentoring circles): a JSON array, one entry per round, of
-- {"kind":"pairs"} or {"kind":"circle","size":2..8}; NULL: every round one-to-one. The API checks
-- that its length equals the number of rounds.
ALTER TABLE events ADD COLUMN round_formats jsonb
  CHECK (round_formats IS NULL OR (jsonb_typeof(round_formats) = 'array' AND jsonb_array_length(round_formats) BETWEEN 1 AND 20));

-- Down Migration
ALTER TABLE events DROP COLUMN round_formats;
