-- Up Migration

-- Co-hosted circles: two mentors host one circle, and each mentee meets both in the same round and
-- room. A mentee then has two seats in a round: one with the host (co_host false) and one with the
-- co-host (co_host true), so the one-seat-per-round rule becomes one seat per round and side.
ALTER TABLE meetings ADD COLUMN co_host boolean NOT NULL DEFAULT false;
DROP INDEX meetings_one_seat_per_round_idx;
CREATE UNIQUE INDEX meetings_one_seat_per_round_idx ON meetings (event_id, round, mentee_id, co_host) WHERE replaced_at IS NULL;

-- Down Migration
DELETE FROM meetings WHERE co_host;
DROP INDEX meetings_one_seat_per_round_idx;
CREATE UNIQUE INDEX meetings_one_seat_per_round_idx ON meetings (event_id, round, mentee_id) WHERE replaced_at IS NULL;
ALTER TABLE meetings DROP COLUMN co_host;
