-- Up Migration

-- Who joined and left each table's LiveKit room, as LiveKit's signed webhooks report it: an
-- append-only log. Hidden observers (organizers looking in) are not recorded.
CREATE TABLE room_presence (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id       uuid NOT NULL,
  participant_id uuid NOT NULL,
  round          integer NOT NULL CHECK (round BETWEEN 1 AND 9999),
  room_name      text NOT NULL,
  kind           text NOT NULL CHECK (kind IN ('joined', 'left')),
  at             timestamptz NOT NULL,
  -- LiveKit retries a delivery until it is answered: the webhook id makes a retry a no-op.
  webhook_id     text NOT NULL UNIQUE CHECK (length(webhook_id) BETWEEN 1 AND 200),
  FOREIGN KEY (event_id, participant_id) REFERENCES participants(event_id, id) ON DELETE CASCADE,
  -- The room is one of this event's, in this round (see modules/video/room-name.ts).
  CHECK (starts_with(room_name, 'ev_' || event_id::text || '_r' || round::text || '_t'))
);
CREATE INDEX room_presence_round_idx ON room_presence (event_id, round, room_name);
CREATE INDEX room_presence_participant_idx ON room_presence (event_id, participant_id, round);

-- A seated participant who had not joined their room some time after their round started.
-- They are absent for re-planning until they are seen in a room again.
CREATE TABLE no_shows (
  event_id       uuid NOT NULL,
  round          integer NOT NULL CHECK (round BETWEEN 1 AND 9999),
  participant_id uuid NOT NULL,
  room_name      text NOT NULL,
  flagged_at     timestamptz NOT NULL,
  -- They joined that round's room after all, late.
  arrived_at     timestamptz CHECK (arrived_at >= flagged_at),
  PRIMARY KEY (event_id, round, participant_id),
  FOREIGN KEY (event_id, participant_id) REFERENCES participants(event_id, id) ON DELETE CASCADE,
  CHECK (starts_with(room_name, 'ev_' || event_id::text || '_r' || round::text || '_t'))
);

-- Down Migration
DROP TABLE no_shows;
DROP TABLE room_presence;
