-- Up Migration

-- Several app nodes (issue 14): each event's timers, video rooms and no-show checks run on exactly
-- one node at a time, the holder of the event's lease. A lease lasts a few seconds and is renewed
-- by its holder; whoever takes it over from an expired holder raises the fencing number, and every
-- write the owner makes checks it (`FOR SHARE`), so an old owner that was paused or cut off can
-- never act after losing the lease. Unused without REDIS_URL (one node owns everything).
CREATE TABLE event_owners (
  event_id   uuid PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
  node_id    text NOT NULL CHECK (length(node_id) BETWEEN 1 AND 200),
  fence      bigint NOT NULL CHECK (fence > 0),
  expires_at timestamptz NOT NULL
);
CREATE INDEX event_owners_node ON event_owners (node_id);

-- The app nodes alive now (each renews its row with its leases), so new events spread over them.
CREATE TABLE app_nodes (
  node_id text PRIMARY KEY CHECK (length(node_id) BETWEEN 1 AND 200),
  seen_at timestamptz NOT NULL
);

-- Down Migration
DROP TABLE app_nodes;
DROP TABLE event_owners;
