/** Which conversation a LiveKit room belongs to: one room per event, round and table. */
export interface RoomRef {
  eventId: string;
  /** 1-based round number. */
  round: number;
  /** The table is named after the mentor who hosts it. */
  tableId: string;
}

// Ids are UUIDs in practice; any id without `_` keeps the name parseable.
const ID = /^[A-Za-z0-9-]{1,64}$/;
const ROOM_NAME = /^ev_([A-Za-z0-9-]{1,64})_r([1-9][0-9]{0,3})_t([A-Za-z0-9-]{1,64})$/;

/** `ev_<eventId>_r<round>_t<tableId>`: deterministic, so any node can find the room of a pair without storing it. */
export function roomNameFor({ eventId, round, tableId }: RoomRef): string {
  if (!ID.test(eventId)) throw new RangeError(`eventId must match ${ID.source}, got "${eventId}"`);
  if (!ID.test(tableId)) throw new RangeError(`tableId must match ${ID.source}, got "${tableId}"`);
  if (!Number.isInteger(round) || round < 1 || round > 9999) {
    throw new RangeError(`round must be an integer from 1 to 9999, got ${round}`);
  }
  return `ev_${eventId}_r${round}_t${tableId}`;
}

/** The inverse of `roomNameFor`; `null` for rooms this application did not name (never throws on webhook input). */
export function parseRoomName(name: string): RoomRef | null {
  const match = ROOM_NAME.exec(name);
  if (!match) return null;
  const [, eventId, round, tableId] = match as unknown as [string, string, string, string];
  return { eventId, round: Number(round), tableId };
}
