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

  it("keeps a member whose socket dropped for as long as a partner on their socket reaches them, and lets the same page resume", () => {
    const rooms = new DirectRooms();
    rooms.ensure('r', opts, 0);
    rooms.join('r', who('a'), 1);
    rooms.join('r', who('b'), 2);
    expect(rooms.setLinks('r', 's-a', ['b', 'a', 'stranger'])?.links).toEqual(new Set(['b']));
    expect(rooms.setLinks('r', 's-nobody', ['b'])).toBeUndefined();

    // b's socket drops; a still reaches b: b stays, detached, and signals to b wait.
    rooms.detach('s-b');
    expect(rooms.orphans(3)).toEqual([]);
    expect(rooms.get('r')!.members.get('b')).toMatchObject({ socketId: null });
    expect(rooms.relayTarget('r', 's-a', 'b')).toMatchObject({ code: 'offline' });

    // Back on a new socket with `resume`: the same member, nobody displaced.
    const back = rooms.join('r', { ...who('b', 's-b2'), resume: true }, 4);
    if (isRefusal(back)) throw new Error(back.message);
    expect(back).toMatchObject({ resumed: true, displaced: [], member: { socketId: 's-b2', joinedAt: 2 } });
    expect(back.peers.map((m) => m.identity)).toEqual(['a']);
    expect(rooms.relayTarget('r', 's-a', 'b')).toMatchObject({ target: { identity: 'b' } });

    // Dropped again; a's connection to b goes down: b has left.
    rooms.detach('s-b2');
    rooms.setLinks('r', 's-a', []);
    expect(rooms.orphans(5).map((o) => o.member.identity)).toEqual(['b']);
    expect([...rooms.get('r')!.members.keys()]).toEqual(['a']);
    // A resume after that is an ordinary join.
    const late = rooms.join('r', { ...who('b', 's-b3'), resume: true }, 6);
    expect(late).toMatchObject({ resumed: false, member: { joinedAt: 6 } });
  });

  it('lets a detached member go when nobody still on their socket reaches them, and a reloaded page replace them', () => {
    const rooms = new DirectRooms();
    rooms.ensure('r', opts, 0);
    rooms.join('r', who('a'), 1);
    rooms.join('r', who('b'), 2);
    rooms.setLinks('r', 's-a', ['b']);
    rooms.setLinks('r', 's-b', ['a']);
    // Both sockets drop (the server's network, say): reaching each other does not count, both leave.
    rooms.detach('s-a');
    rooms.detach('s-b');
    expect(rooms.orphans(3).map((o) => o.member.identity).sort()).toEqual(['a', 'b']);

    rooms.join('r', who('a'), 4);
    rooms.join('r', who('b'), 5);
    rooms.setLinks('r', 's-a', ['b']);
    rooms.detach('s-b');
    expect(rooms.orphans(6)).toEqual([]);
    // A new page of b (a reload: no `resume`) takes over, the detached one is displaced.
    const reloaded = rooms.join('r', who('b', 's-b-new'), 7);
    expect(reloaded).toMatchObject({ resumed: false, displaced: [{ roomName: 'r', member: { identity: 'b', socketId: null } }] });
    // The partner who reached a detached member leaves: nobody reaches them any more.
    rooms.setLinks('r', 's-b-new', []);
    rooms.detach('s-b-new');
    rooms.leave('r', 's-a', 8);
    expect(rooms.orphans(9).map((o) => o.member.identity)).toEqual(['b']);
    expect(rooms.get('r')!.members.size).toBe(0);
  });
});
