-- Up Migration

-- The instance's owner: its first organizer (who ran `npm start`). Without SMTP nobody can prove they
-- own an address, so the owner approves or declines the other sign-ups. At most one owner.
ALTER TABLE organizers ADD COLUMN is_owner boolean NOT NULL DEFAULT false;
CREATE UNIQUE INDEX organizers_one_owner_idx ON organizers ((true)) WHERE is_owner;
UPDATE organizers SET is_owner = true WHERE id = (SELECT id FROM organizers ORDER BY created_at, id LIMIT 1);

-- A pending sign-up ends once: used (its link was followed, or the owner approved it) or declined.
ALTER TABLE organizer_signups ADD COLUMN declined_at timestamptz;
ALTER TABLE organizer_signups ADD CONSTRAINT organizer_signups_decided_once CHECK (used_at IS NULL OR declined_at IS NULL);
CREATE INDEX organizer_signups_pending_idx ON organizer_signups (created_at) WHERE used_at IS NULL AND declined_at IS NULL;

-- An organizer's single-use link that lets a colleague sign up at once, without the owner's approval.
-- Its token is derived from the id and the server secret, so nothing secret is stored.
CREATE TABLE organizer_invites (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  invited_by  uuid NOT NULL REFERENCES organizers(id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  used_by     uuid REFERENCES organizers(id) ON DELETE SET NULL
);

-- Down Migration
DROP TABLE organizer_invites;
DROP INDEX organizer_signups_pending_idx;
ALTER TABLE organizer_signups DROP CONSTRAINT organizer_signups_decided_once;
ALTER TABLE organizer_signups DROP COLUMN declined_at;
DROP INDEX organizers_one_owner_idx;
ALTER TABLE organizers DROP COLUMN is_owner;
