import { describe, expect, it } from 'vitest';
import { DirectRooms, isRefusal } from './direct-rooms.ts';

const opts = { emptyTimeoutSec: 10, maxParticipants: 4 };
const who = (identity: string, socketId = `s-${identity}`) => ({ identity, name: identity.toUpperCase(), socketId });

describe('direct-call rooms', () => {
  it('lets people signal only someone in the same room', () => {
    const rooms = new DirectRooms();
    rooms.ensure('r1', opts, 0);
    rooms.ensure('r2', opts, 0);
    rooms.join('r1', who('a'), 1);
    rooms.join('r1', who('b'), 2);
    rooms.join('r2', who('c'), 3);
    expect(rooms.relayTarget('r1', 's-a', 'b')).toMatchObject({ from: { identity: 'a' }, target: { identity: 'b' } });
    expect(rooms.relayTarget('r1', 's-a', 'c')).toMatchObject({ code: 'not-in-room' });
    expect(rooms.relayTarget('r2', 's-a', 'c')).toMatchObject({ code: 'not-in-room' });
    expect(rooms.relayTarget('r1', 's-a', 'a')).toMatchObject({ code: 'not-in-room' });
  });

  it("replaces a person's older socket, and moves a socket out of its previous room", () => {
    const rooms = new DirectRooms();
    rooms.ensure('r1', opts, 0);
    rooms.ensure('r2', opts, 0);
    rooms.join('r1', who('a', 'old'), 1);
    const again = rooms.join('r1', who('a', 'new'), 2);
    if (isRefusal(again)) throw new Error(again.message);
    expect(again.displaced).toEqual([{ roomName: 'r1', member: expect.objectContaining({ socketId: 'old' }) }]);
    const moved = rooms.join('r2', who('a', 'new'), 3);
    if (isRefusal(moved)) throw new Error(moved.message);
    expect(moved.displaced.map((d) => d.roomName)).toEqual(['r1']);
    expect(rooms.get('r1')!.members.size).toBe(0);
  });

  it('refuses closed and full rooms, and forgets rooms left empty past their timeout', () => {
    const rooms = new DirectRooms();
    expect(rooms.join('nope', who('a'), 0)).toMatchObject({ code: 'not-found' });
    rooms.ensure('r', { emptyTimeoutSec: 10, maxParticipants: 1 }, 0);
    rooms.join('r', who('a'), 1);
    expect(rooms.join('r', who('b'), 2)).toMatchObject({ code: 'room-full' });
    expect(rooms.leaveAll('s-a', 5_000).map((l) => l.member.identity)).toEqual(['a']);
    expect(rooms.list(14_000).map((r) => r.name)).toEqual(['r']);
    expect(rooms.list(16_000)).toEqual([]);
  });
});
