import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseRoomName, roomNameFor } from './room-name.ts';

const eventId = '8f14e45f-ceea-4e7a-9c3b-1d2c3b4a5f60';
const mentorId = '0b7a3c1e-2d4f-4a6b-8c9d-0e1f2a3b4c5d';

describe('room names', () => {
  it('names the room of a table after its event, round and mentor', () => {
    expect(roomNameFor({ eventId, round: 3, tableId: mentorId })).toBe(`ev_${eventId}_r3_t${mentorId}`);
  });

  it('gives every table of every round its own room and reads it back', () => {
    const id = fc.stringMatching(/^[A-Za-z0-9-]{1,64}$/);
    fc.assert(
      fc.property(id, fc.integer({ min: 1, max: 9999 }), id, (e, round, t) => {
        const ref = { eventId: e, round, tableId: t };
        expect(parseRoomName(roomNameFor(ref))).toEqual(ref);
      }),
    );
  });

  it('refuses ids that would make the name ambiguous', () => {
    expect(() => roomNameFor({ eventId: 'a_b', round: 1, tableId: mentorId })).toThrow(RangeError);
    expect(() => roomNameFor({ eventId, round: 0, tableId: mentorId })).toThrow(RangeError);
    expect(() => roomNameFor({ eventId, round: 1.5, tableId: mentorId })).toThrow(RangeError);
    expect(() => roomNameFor({ eventId, round: 1, tableId: '' })).toThrow(RangeError);
  });

  it('ignores rooms it did not name', () => {
    const foreign = ['lobby', `ev_${eventId}_r0_t${mentorId}`, `ev_${eventId}_r1_t`, `ev_${eventId}_r01_t${mentorId}`];
    for (const name of foreign) expect(parseRoomName(name)).toBeNull();
  });
});
