-- Up Migration

-- Circles as the final outcome (issue 13): a confirmed circle is stored as its pairs, one per
-- member, with source 'circles'; the mentor's pairs form the circle. Each mentee sits in at most
-- one circle, which the schema enforces for circles pairings.
ALTER TABLE matches DROP CONSTRAINT matches_source_check;
ALTER TABLE matches ADD CONSTRAINT matches_source_check CHECK (source IN ('stable', 'welfare', 'manual', 'circles'));
CREATE UNIQUE INDEX matches_one_circle_per_mentee ON matches (event_id, mentee_id) WHERE source = 'circles';

-- Down Migration
DROP INDEX matches_one_circle_per_mentee;
DELETE FROM matches WHERE source = 'circles';
ALTER TABLE matches DROP CONSTRAINT matches_source_check;
ALTER TABLE matches ADD CONSTRAINT matches_source_check CHECK (source IN ('stable', 'welfare', 'manual'));
