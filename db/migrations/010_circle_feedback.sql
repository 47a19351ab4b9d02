-- Up Migration

-- A mentee's rating of a circle they sat in (issue 13): the circle is the mentor's table in a
-- circle round. One per mentee and round; the API lets it exist only for a circle the mentee was
-- present in (attendance), while submissions are open.
CREATE TABLE circle_ratings (
  event_id   uuid NOT NULL,
  round      integer NOT NULL CHECK (round BETWEEN 1 AND 9999),
  mentee_id  uuid NOT NULL,
  mentor_id  uuid NOT NULL,
  rating     integer NOT NULL CHECK (rating BETWEEN 1 AND 5),
  note       text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, round, mentee_id),
  FOREIGN KEY (event_id, mentee_id) REFERENCES participants(event_id, id) ON DELETE CASCADE,
  FOREIGN KEY (event_id, mentor_id) REFERENCES participants(event_id, id) ON DELETE CASCADE
);

-- The peers of that circle the mentee would like to keep learning with (private to the mentee and
-- the organizers). Replaced as a whole with the rating.
CREATE TABLE circle_peer_wishes (
  event_id  uuid NOT NULL,
  round     integer NOT NULL,
  mentee_id uuid NOT NULL,
  peer_id   uuid NOT NULL,
  PRIMARY KEY (event_id, round, mentee_id, peer_id),
  FOREIGN KEY (event_id, round, mentee_id) REFERENCES circle_ratings(event_id, round, mentee_id) ON DELETE CASCADE,
  FOREIGN KEY (event_id, peer_id) REFERENCES participants(event_id, id) ON DELETE CASCADE,
  CHECK (peer_id <> mentee_id)
);

-- Down Migration
DROP TABLE circle_peer_wishes;
DROP TABLE circle_ratings;
