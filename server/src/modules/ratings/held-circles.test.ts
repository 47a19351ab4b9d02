import { describe, expect, it } from 'vitest';
import type { RoundFormat } from '@constellation/shared/schemas/events';
import type { SeatRecord } from '../attendance/attendance.service.ts';
import { roomNameFor } from '../video/room-name.ts';
import { heldCircles } from './circles.repository.ts';

const eventId = 'ev1';
const formats: RoundFormat[] = [{ kind: 'pairs' }, { kind: 'circle', size: 3, hosts: 2 }];
const seat = (round: number, mentorId: string, menteeId: string, tableId: string, met = true) =>
  ({ round, mentorId, menteeId, met, roomName: roomNameFor({ eventId, round, tableId }) }) as unknown as SeatRecord;

describe('circles as held', () => {
  it('makes one circle of a co-hosted room, its host (the room is named after them) first', () => {
    const seats = [
      seat(1, 'zed', 'e1', 'zed'),
      seat(2, 'amy', 'e1', 'zed'), seat(2, 'zed', 'e1', 'zed'),
      seat(2, 'amy', 'e2', 'zed', false), seat(2, 'zed', 'e2', 'zed'),
      seat(2, 'bob', 'e3', 'bob'),
    ];
    expect(heldCircles(formats, seats)).toEqual([
      { round: 2, mentorId: 'bob', menteeIds: ['e3'] },
      { round: 2, mentorId: 'zed', coMentorId: 'amy', menteeIds: ['e1', 'e2'] },
    ]);
  });

  it('leaves out a co-host who met nobody there', () => {
    const seats = [seat(2, 'zed', 'e1', 'zed'), seat(2, 'amy', 'e1', 'zed', false)];
    expect(heldCircles(formats, seats)).toEqual([{ round: 2, mentorId: 'zed', menteeIds: ['e1'] }]);
  });
});
