-- Up Migration

-- Sign-ups waiting for their email to be confirmed (only when mail is configured). The link's token
-- is derived from the row's id and the server secret, so nothing secret is stored.
CREATE TABLE organizer_signups (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email         citext NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  password_hash text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  used_at       timestamptz
);

-- Email: invitations, reminders and outcomes go through a durable outbox. A row is written before
-- the request that asked for it is answered; the sender loop delivers due rows over SMTP, or, with
-- no SMTP configured, the row is held here for the organizer to read in the app.
CREATE TABLE mail_outbox (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- A participant's mail belongs to their event; a sign-up's mail to the sign-up.
  event_id        uuid,
  participant_id  uuid,
  signup_id       uuid REFERENCES organizer_signups(id) ON DELETE CASCADE,
  kind            text NOT NULL CHECK (kind IN ('invitation', 'reminder', 'outcome', 'signup-confirm', 'signup-exists')),
  -- Reminders: one per participant, event start and offset, however many nodes scan for them.
  dedupe_key      text CHECK (length(dedupe_key) <= 200),
  recipient       citext NOT NULL CHECK (length(recipient) BETWEEN 3 AND 254),
  subject         text NOT NULL CHECK (length(subject) BETWEEN 1 AND 300),
  -- What the message says, without the recipient's link: that is derived when it is rendered.
  payload         jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(payload) = 'object'),
  -- held: kept in the outbox (no SMTP configured); queued: waiting for its next attempt (a claimed
  -- row's next attempt is pushed past its lease, so a sender that dies mid-send is retried later).
  status          text NOT NULL CHECK (status IN ('queued', 'sent', 'failed', 'held')),
  attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  last_error      text CHECK (length(last_error) <= 1000),
  next_attempt_at timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  sent_at         timestamptz,
  CHECK ((status = 'queued') = (next_attempt_at IS NOT NULL)),
  CHECK ((status = 'sent') = (sent_at IS NOT NULL)),
  CHECK (CASE WHEN kind LIKE 'signup-%' THEN event_id IS NULL AND participant_id IS NULL ELSE event_id IS NOT NULL AND participant_id IS NOT NULL END),
  FOREIGN KEY (event_id, participant_id) REFERENCES participants(event_id, id) ON DELETE CASCADE,
  UNIQUE (participant_id, dedupe_key)
);
CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at, id) WHERE status = 'queued';
CREATE INDEX mail_outbox_event_idx ON mail_outbox (event_id, id);

-- Reminders before the event, in minutes before its start (default: a day and an hour).
ALTER TABLE events ADD COLUMN reminder_offsets_minutes integer[] NOT NULL DEFAULT '{1440,60}'
  CHECK (cardinality(reminder_offsets_minutes) <= 5 AND 0 < ALL (reminder_offsets_minutes) AND 20160 >= ALL (reminder_offsets_minutes));
-- The matched pairs' first follow-up: this many days after the event's start, at this local time of
-- day in the event's time zone (NULL: the time the event starts).
ALTER TABLE events ADD COLUMN follow_up_days integer NOT NULL DEFAULT 7 CHECK (follow_up_days BETWEEN 1 AND 90);
ALTER TABLE events ADD COLUMN follow_up_time text CHECK (follow_up_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$');

-- Down Migration
ALTER TABLE events DROP COLUMN follow_up_time;
ALTER TABLE events DROP COLUMN follow_up_days;
ALTER TABLE events DROP COLUMN reminder_offsets_minutes;
DROP TABLE mail_outbox;
DROP TABLE organizer_signups;
