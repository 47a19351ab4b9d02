-- Up Migration
CREATE EXTENSION IF NOT EXISTS citext;

CREATE TABLE organizers (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email         citext NOT NULL UNIQUE CHECK (length(email) BETWEEN 3 AND 254),
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  password_hash text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE events (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organizer_id        uuid NOT NULL REFERENCES organizers(id) ON DELETE CASCADE,
  title               text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  description         text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
  scheduled_start     timestamptz NOT NULL,
  time_zone           text NOT NULL,
  round_seconds       integer NOT NULL CHECK (round_seconds BETWEEN 60 AND 3600),
  transition_seconds  integer NOT NULL CHECK (transition_seconds BETWEEN 10 AND 600),
  rounds              integer NOT NULL CHECK (rounds BETWEEN 1 AND 20),
  -- [{ "afterRound": int, "seconds": int }], validated by the API schema
  breaks              jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(breaks) = 'array'),
  allow_shared_tables boolean NOT NULL DEFAULT false,
  status              text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'live', 'finished')),
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_organizer_idx ON events (organizer_id, scheduled_start);

CREATE TABLE participants (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  event_id           uuid NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  role               text NOT NULL CHECK (role IN ('mentor', 'mentee')),
  name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  email              citext NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
  -- industry, skills, yearsExperience, goals, challenges, workingStyle, timeZone
  profile            jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(profile) = 'object'),
  capacity           integer NOT NULL DEFAULT 1 CHECK (capacity BETWEEN 1 AND 5),
  constellation_size integer NOT NULL DEFAULT 1 CHECK (constellation_size BETWEEN 1 AND 5),
  created_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (event_id, email),
  -- lets child tables reference (event_id, participant_id) so a row can never mix events
  UNIQUE (event_id, id)
);

-- One live invitation per participant; regenerating revokes the old one.
-- The token itself is never stored: only its SHA-256.
CREATE TABLE invitations (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  event_id       uuid NOT NULL,
  participant_id uuid NOT NULL,
  token_hash     bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  created_at     timestamptz NOT NULL DEFAULT now(),
  revoked_at     timestamptz,
  last_used_at   timestamptz,
  FOREIGN KEY (event_id, participant_id) REFERENCES participants(event_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX invitations_one_live_idx ON invitations (participant_id) WHERE revoked_at IS NULL;

-- Server-side sessions: the cookie carries a random token, the table its SHA-256.
CREATE TABLE sessions (
  token_hash     bytea PRIMARY KEY CHECK (length(token_hash) = 32),
  organizer_id   uuid REFERENCES organizers(id) ON DELETE CASCADE,
  participant_id uuid REFERENCES participants(id) ON DELETE CASCADE,
  event_id       uuid REFERENCES events(id) ON DELETE CASCADE,
  created_at     timestamptz NOT NULL DEFAULT now(),
  expires_at     timestamptz NOT NULL,
  CHECK ((organizer_id IS NOT NULL) <> (participant_id IS NOT NULL)),
  CHECK ((participant_id IS NULL) = (event_id IS NULL))
);
CREATE INDEX sessions_expiry_idx ON sessions (expires_at);

-- Down Migration
DROP TABLE sessions;
DROP TABLE invitations;
DROP TABLE participants;
DROP TABLE events;
DROP TABLE organizers;
