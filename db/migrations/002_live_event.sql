-- Up Migration

-- The organizer's pins (must meet) and forbids (never meet) for the rotation planner.
CREATE TABLE pair_constraints (
  event_id   uuid NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  mentor_id  uuid NOT NULL,
  mentee_id  uuid NOT NULL,
  kind       text NOT NULL CHECK (kind IN ('pin', 'forbid')),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, mentor_id, mentee_id),
  FOREIGN KEY (event_id, mentor_id) REFERENCES participants(event_id, id) ON DELETE CASCADE,
  FOREIGN KEY (event_id, mentee_id) REFERENCES participants(event_id, id) ON DELETE CASCADE,
  CHECK (mentor_id <> mentee_id)
);

-- The rotation plan in force: the planner's output, replaced whole on (re-)planning.
CREATE TABLE event_plans (
  event_id   uuid PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
  seed       integer NOT NULL,
  plan       jsonb NOT NULL CHECK (jsonb_typeof(plan) = 'object'),
  -- rounds 1..held_rounds were already held when this plan was made and never change
  held_rounds integer NOT NULL DEFAULT 0 CHECK (held_rounds >= 0),
  version    integer NOT NULL DEFAULT 1,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The meetings of the plan, one row per mentor-mentee pair per round, so "who met whom" is queryable
-- and a pair can never be planned twice.
CREATE TABLE meetings (
  event_id  uuid NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  round     integer NOT NULL CHECK (round >= 1),
  mentor_id uuid NOT NULL,
  mentee_id uuid NOT NULL,
  score     integer NOT NULL,
  PRIMARY KEY (event_id, mentor_id, mentee_id),
  UNIQUE (event_id, round, mentee_id),
  FOREIGN KEY (event_id, mentor_id) REFERENCES participants(event_id, id) ON DELETE CASCADE,
  FOREIGN KEY (event_id, mentee_id) REFERENCES participants(event_id, id) ON DELETE CASCADE
);

-- The clock: an append-only log of organizer commands; the state is a pure function of it.
CREATE TABLE clock_commands (
  event_id   uuid NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  seq        integer NOT NULL CHECK (seq >= 1),
  command    jsonb NOT NULL CHECK (command ? 'type'),
  at_ms      bigint NOT NULL,
  created_by uuid REFERENCES organizers(id) ON DELETE SET NULL,
  PRIMARY KEY (event_id, seq)
);

CREATE TABLE announcements (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  event_id   uuid NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  text       text NOT NULL CHECK (length(text) BETWEEN 1 AND 500),
  sent_at_ms bigint NOT NULL
);
CREATE INDEX announcements_event_idx ON announcements (event_id, sent_at_ms);

-- Down Migration
DROP TABLE announcements;
DROP TABLE clock_commands;
DROP TABLE meetings;
DROP TABLE event_plans;
DROP TABLE pair_constraints;
