-- Up Migration

ALTER TABLE events ADD COLUMN submissions_closed_at timestamptz;
ALTER TABLE participants ADD COLUMN capacity_confirmed_at timestamptz;

-- The mentor's rating of a mentee just met. The foreign key to meetings means a rating can only
-- exist for a pair the plan put together; the API also checks that the round was held.
CREATE TABLE ratings (
  event_id     uuid NOT NULL,
  mentor_id    uuid NOT NULL,
  mentee_id    uuid NOT NULL,
  fit          integer NOT NULL CHECK (fit BETWEEN 1 AND 5),
  would_mentor boolean NOT NULL,
  note         text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, mentor_id, mentee_id),
  FOREIGN KEY (event_id, mentor_id, mentee_id) REFERENCES meetings(event_id, mentor_id, mentee_id) ON DELETE CASCADE
);

-- The mentee's private note about a mentor met.
CREATE TABLE mentee_notes (
  event_id   uuid NOT NULL,
  mentor_id  uuid NOT NULL,
  mentee_id  uuid NOT NULL,
  note       text NOT NULL CHECK (length(note) <= 2000),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, mentor_id, mentee_id),
  FOREIGN KEY (event_id, mentor_id, mentee_id) REFERENCES meetings(event_id, mentor_id, mentee_id) ON DELETE CASCADE
);

-- A mentee's ordered ranking of the mentors met, and the ones marked "not a fit".
CREATE TABLE preferences (
  event_id   uuid NOT NULL,
  mentee_id  uuid NOT NULL,
  ranking    uuid[] NOT NULL,
  not_a_fit  uuid[] NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, mentee_id),
  FOREIGN KEY (event_id, mentee_id) REFERENCES participants(event_id, id) ON DELETE CASCADE,
  CHECK (NOT (ranking && not_a_fit))
);

-- The final pairing: proposed by the system or the organizer, then confirmed.
CREATE TABLE matches (
  event_id     uuid NOT NULL,
  mentor_id    uuid NOT NULL,
  mentee_id    uuid NOT NULL,
  status       text NOT NULL CHECK (status IN ('proposed', 'confirmed')),
  source       text NOT NULL CHECK (source IN ('stable', 'welfare', 'manual')),
  confirmed_at timestamptz,
  PRIMARY KEY (event_id, mentor_id, mentee_id),
  FOREIGN KEY (event_id, mentor_id) REFERENCES participants(event_id, id) ON DELETE CASCADE,
  FOREIGN KEY (event_id, mentee_id) REFERENCES participants(event_id, id) ON DELETE CASCADE,
  CHECK ((status = 'confirmed') = (confirmed_at IS NOT NULL))
);

-- Every organizer change to the final pairing.
CREATE TABLE match_audit (
  id           bigserial PRIMARY KEY,
  event_id     uuid NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  organizer_id uuid REFERENCES organizers(id) ON DELETE SET NULL,
  action       text NOT NULL,
  detail       jsonb NOT NULL DEFAULT '{}'::jsonb,
  at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX match_audit_event_idx ON match_audit (event_id, at);

-- Down Migration
DROP TABLE match_audit;
DROP TABLE matches;
DROP TABLE preferences;
DROP TABLE mentee_notes;
DROP TABLE ratings;
ALTER TABLE participants DROP COLUMN capacity_confirmed_at;
ALTER TABLE events DROP COLUMN submissions_closed_at;
