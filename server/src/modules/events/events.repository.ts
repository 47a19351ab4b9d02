import type { Queryable } from '../../plugins/db.ts';
import type { Event, EventBreak, EventCreateBody, EventUpdateBody, RoundFormat } from '@constellation/shared/schemas/events';
import { EVENT_DEFAULTS } from '@constellation/shared/schemas/events';

const SELECT_EVENT = `
  SELECT e.id, e.title, e.description, e.scheduled_start, e.time_zone, e.round_seconds,
         e.transition_seconds, e.rounds, e.breaks, e.allow_shared_tables, e.held_after_seconds, e.no_show_after_seconds,
         e.reminder_offsets_minutes, e.follow_up_days, e.follow_up_time, e.warn_at_seconds, e.round_formats, e.status,
         e.created_at, e.updated_at,
         (SELECT count(*) FILTER (WHERE role = 'mentor') FROM participants p WHERE p.event_id = e.id)::int AS mentors,
         (SELECT count(*) FILTER (WHERE role = 'mentee') FROM participants p WHERE p.event_id = e.id)::int AS mentees
    FROM events e`;

interface EventRow {
  id: string;
  title: string;
  description: string;
  scheduled_start: Date;
  time_zone: string;
  round_seconds: number;
  transition_seconds: number;
  rounds: number;
  breaks: EventBreak[];
  allow_shared_tables: boolean;
  held_after_seconds: number | null;
  no_show_after_seconds: number | null;
  reminder_offsets_minutes: number[];
  follow_up_days: number;
  follow_up_time: string | null;
  warn_at_seconds: number[];
  round_formats: RoundFormat[] | null;
  status: Event['status'];
  created_at: Date;
  updated_at: Date;
  mentors: number;
  mentees: number;
}

function toEvent(row: EventRow): Event {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    scheduledStart: row.scheduled_start.toISOString(),
    timeZone: row.time_zone,
    roundSeconds: row.round_seconds,
    transitionSeconds: row.transition_seconds,
    rounds: row.rounds,
    breaks: row.breaks,
    allowSharedTables: row.allow_shared_tables,
    heldAfterSeconds: row.held_after_seconds,
    noShowAfterSeconds: row.no_show_after_seconds,
    reminderOffsetsMinutes: row.reminder_offsets_minutes,
    followUpDays: row.follow_up_days,
    followUpTime: row.follow_up_time,
    warnAtSeconds: row.warn_at_seconds,
    roundFormats: row.round_formats,
    status: row.status,
    participantCounts: { mentors: row.mentors, mentees: row.mentees },
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export async function listEvents(db: Queryable, organizerId: string): Promise<Event[]> {
  const { rows } = await db.query<EventRow>(`${SELECT_EVENT} WHERE e.organizer_id = $1 ORDER BY e.scheduled_start DESC, e.id`, [organizerId]);
  return rows.map(toEvent);
}

/** The event if this organizer owns it; another organizer's event is indistinguishable from a missing one. */
export async function findEvent(db: Queryable, organizerId: string, eventId: string): Promise<Event | null> {
  const { rows } = await db.query<EventRow>(`${SELECT_EVENT} WHERE e.id = $1 AND e.organizer_id = $2`, [eventId, organizerId]);
  return rows[0] ? toEvent(rows[0]) : null;
}

export async function findEventById(db: Queryable, eventId: string): Promise<Event | null> {
  const { rows } = await db.query<EventRow>(`${SELECT_EVENT} WHERE e.id = $1`, [eventId]);
  return rows[0] ? toEvent(rows[0]) : null;
}

export async function insertEvent(db: Queryable, organizerId: string, input: EventCreateBody): Promise<Event> {
  const v = { ...EVENT_DEFAULTS, ...input };
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO events (organizer_id, title, description, scheduled_start, time_zone, round_seconds,
                         transition_seconds, rounds, breaks, allow_shared_tables, held_after_seconds, no_show_after_seconds,
                         reminder_offsets_minutes, follow_up_days, follow_up_time, warn_at_seconds, round_formats)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id`,
    [organizerId, v.title, v.description, v.scheduledStart, v.timeZone, v.roundSeconds, v.transitionSeconds, v.rounds, JSON.stringify(v.breaks), v.allowSharedTables, v.heldAfterSeconds, v.noShowAfterSeconds,
     v.reminderOffsetsMinutes, v.followUpDays, v.followUpTime, v.warnAtSeconds,
     v.roundFormats === null ? null : JSON.stringify(v.roundFormats)],
  );
  return (await findEventById(db, rows[0]!.id))!;
}

const UPDATABLE: Record<keyof EventUpdateBody, string> = {
  title: 'title',
  description: 'description',
  scheduledStart: 'scheduled_start',
  timeZone: 'time_zone',
  roundSeconds: 'round_seconds',
  transitionSeconds: 'transition_seconds',
  rounds: 'rounds',
  breaks: 'breaks',
  allowSharedTables: 'allow_shared_tables',
  heldAfterSeconds: 'held_after_seconds',
  noShowAfterSeconds: 'no_show_after_seconds',
  reminderOffsetsMinutes: 'reminder_offsets_minutes',
  followUpDays: 'follow_up_days',
  followUpTime: 'follow_up_time',
  warnAtSeconds: 'warn_at_seconds',
  roundFormats: 'round_formats',
};

export async function updateEvent(db: Queryable, organizerId: string, eventId: string, patch: EventUpdateBody): Promise<Event | null> {
  const sets: string[] = [];
  const params: unknown[] = [eventId, organizerId];
  for (const [key, column] of Object.entries(UPDATABLE) as [keyof EventUpdateBody, string][]) {
    const value = patch[key];
    if (value === undefined) continue;
    params.push(key === 'breaks' || (key === 'roundFormats' && value !== null) ? JSON.stringify(value) : value);
    sets.push(`${column} = $${params.length}`);
  }
  const { rowCount } = await db.query(
    `UPDATE events SET ${sets.join(', ')}, updated_at = now() WHERE id = $1 AND organizer_id = $2`,
    params,
  );
  return rowCount ? findEvent(db, organizerId, eventId) : null;
}

export async function deleteEvent(db: Queryable, organizerId: string, eventId: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM events WHERE id = $1 AND organizer_id = $2', [eventId, organizerId]);
  return (rowCount ?? 0) > 0;
}
