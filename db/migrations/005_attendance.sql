-- Up Migration

-- Attendance decides who met. A row of `meetings` is now a seat: a mentor and a mentee put together
-- in a round, by the plan or live (a rescue or the organizer's move), in one video room. Whether they
-- really met is derived from the room's presence log; a seat can be replaced during its round.
ALTER TABLE meetings ADD COLUMN room_name text;
-- When a live change seated them (null: from the round's start) and when it unseated them.
ALTER TABLE meetings ADD COLUMN seated_at timestamptz;
ALTER TABLE meetings ADD COLUMN replaced_at timestamptz;
ALTER TABLE meetings ADD COLUMN source text NOT NULL DEFAULT 'plan' CHECK (source IN ('plan', 'rescue', 'move'));
ALTER TABLE meetings ADD CONSTRAINT meetings_room_of_round
  CHECK (room_name IS NULL OR starts_with(room_name, 'ev_' || event_id::text || '_r' || round::text || '_t'));
ALTER TABLE meetings ADD CONSTRAINT meetings_replaced_after_seated CHECK (replaced_at IS NULL OR seated_at IS NULL OR replaced_at >= seated_at);

-- A pair missed in one round (a no-show) may be seated again later, so the pair is no longer unique;
-- a mentee still sits at one table per round at a time.
ALTER TABLE ratings DROP CONSTRAINT ratings_event_id_mentor_id_mentee_id_fkey;
ALTER TABLE mentee_notes DROP CONSTRAINT mentee_notes_event_id_mentor_id_mentee_id_fkey;
ALTER TABLE meetings DROP CONSTRAINT meetings_pkey;
ALTER TABLE meetings DROP CONSTRAINT meetings_event_id_round_mentee_id_key;
ALTER TABLE meetings ADD PRIMARY KEY (event_id, round, mentor_id, mentee_id);
CREATE UNIQUE INDEX meetings_one_seat_per_round_idx ON meetings (event_id, round, mentee_id) WHERE replaced_at IS NULL;
CREATE INDEX meetings_pair_idx ON meetings (event_id, mentor_id, mentee_id);
-- Ratings and notes are about people: the API lets them exist only for meetings that were held.
ALTER TABLE ratings ADD FOREIGN KEY (event_id, mentor_id) REFERENCES participants(event_id, id) ON DELETE CASCADE;
ALTER TABLE ratings ADD FOREIGN KEY (event_id, mentee_id) REFERENCES participants(event_id, id) ON DELETE CASCADE;
ALTER TABLE mentee_notes ADD FOREIGN KEY (event_id, mentor_id) REFERENCES participants(event_id, id) ON DELETE CASCADE;
ALTER TABLE mentee_notes ADD FOREIGN KEY (event_id, mentee_id) REFERENCES participants(event_id, id) ON DELETE CASCADE;

-- Track publications complete the presence log (a camera that really reached the room).
ALTER TABLE room_presence DROP CONSTRAINT room_presence_kind_check;
ALTER TABLE room_presence ADD CONSTRAINT room_presence_kind_check CHECK (kind IN ('joined', 'left', 'published'));

-- The organizer's word on whether a seat's pair met (they talked by phone when video failed, say).
-- Append-only: the latest row of a seat wins, and the rows are the audit trail.
CREATE TABLE attendance_corrections (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id     uuid NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  round        integer NOT NULL CHECK (round BETWEEN 1 AND 9999),
  mentor_id    uuid NOT NULL,
  mentee_id    uuid NOT NULL,
  met          boolean NOT NULL,
  reason       text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
  organizer_id uuid REFERENCES organizers(id) ON DELETE SET NULL,
  at           timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (event_id, mentor_id) REFERENCES participants(event_id, id) ON DELETE CASCADE,
  FOREIGN KEY (event_id, mentee_id) REFERENCES participants(event_id, id) ON DELETE CASCADE
);
CREATE INDEX attendance_corrections_seat_idx ON attendance_corrections (event_id, round, mentor_id, mentee_id, id);

-- Event settings: how long a pair must be together for the meeting to count, and when a missing
-- partner is declared a no-show (and the one left waiting re-paired). NULL: the defaults, the lesser
-- of 60 s and half (held) or a quarter (no-show) of the round.
ALTER TABLE events ADD COLUMN held_after_seconds integer CHECK (held_after_seconds BETWEEN 1 AND 3600);
ALTER TABLE events ADD COLUMN no_show_after_seconds integer CHECK (no_show_after_seconds BETWEEN 1 AND 3600);

-- What the plan was made from (participants, pins, forbids, rounds): another key means it is stale.
ALTER TABLE event_plans ADD COLUMN inputs_key text;

-- Down Migration
ALTER TABLE event_plans DROP COLUMN inputs_key;
ALTER TABLE events DROP COLUMN no_show_after_seconds;
ALTER TABLE events DROP COLUMN held_after_seconds;
DROP TABLE attendance_corrections;
DELETE FROM room_presence WHERE kind = 'published';
ALTER TABLE room_presence DROP CONSTRAINT room_presence_kind_check;
ALTER TABLE room_presence ADD CONSTRAINT room_presence_kind_check CHECK (kind IN ('joined', 'left'));
ALTER TABLE mentee_notes DROP CONSTRAINT mentee_notes_event_id_mentee_id_fkey;
ALTER TABLE mentee_notes DROP CONSTRAINT mentee_notes_event_id_mentor_id_fkey;
ALTER TABLE ratings DROP CONSTRAINT ratings_event_id_mentee_id_fkey;
ALTER TABLE ratings DROP CONSTRAINT ratings_event_id_mentor_id_fkey;
DROP INDEX meetings_pair_idx;
DROP INDEX meetings_one_seat_per_round_idx;
-- Going back keeps one seat per pair and per mentee and round: the first.
DELETE FROM meetings m WHERE replaced_at IS NOT NULL
   OR EXISTS (SELECT 1 FROM meetings o WHERE o.event_id = m.event_id AND o.mentor_id = m.mentor_id AND o.mentee_id = m.mentee_id AND o.round < m.round);
ALTER TABLE meetings DROP CONSTRAINT meetings_pkey;
ALTER TABLE meetings ADD PRIMARY KEY (event_id, mentor_id, mentee_id);
ALTER TABLE meetings ADD CONSTRAINT meetings_event_id_round_mentee_id_key UNIQUE (event_id, round, mentee_id);
DELETE FROM ratings r WHERE NOT EXISTS (SELECT 1 FROM meetings m WHERE (m.event_id, m.mentor_id, m.mentee_id) = (r.event_id, r.mentor_id, r.mentee_id));
DELETE FROM mentee_notes r WHERE NOT EXISTS (SELECT 1 FROM meetings m WHERE (m.event_id, m.mentor_id, m.mentee_id) = (r.event_id, r.mentor_id, r.mentee_id));
ALTER TABLE ratings ADD CONSTRAINT ratings_event_id_mentor_id_mentee_id_fkey FOREIGN KEY (event_id, mentor_id, mentee_id) REFERENCES meetings(event_id, mentor_id, mentee_id) ON DELETE CASCADE;
ALTER TABLE mentee_notes ADD CONSTRAINT mentee_notes_event_id_mentor_id_mentee_id_fkey FOREIGN KEY (event_id, mentor_id, mentee_id) REFERENCES meetings(event_id, mentor_id, mentee_id) ON DELETE CASCADE;
ALTER TABLE meetings DROP CONSTRAINT meetings_replaced_after_seated;
ALTER TABLE meetings DROP CONSTRAINT meetings_room_of_round;
ALTER TABLE meetings DROP COLUMN source;
ALTER TABLE meetings DROP COLUMN replaced_at;
ALTER TABLE meetings DROP COLUMN seated_at;
ALTER TABLE meetings DROP COLUMN room_name;
