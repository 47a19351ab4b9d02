/**
 * Opening and closing a round's rooms on a real LiveKit server (the binary the tests use, started
 * on free ports): the time to provision (ensureRoom) and to close 20 and 100 rooms, all at once as
 * the orchestrator does, empty and with a pair (two signalling-only participants) in each room.
 * Token minting for 1,000 pairs is bench/tokens.ts.
 *
 *   npx tsx bench/video-rounds.ts
 */
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import WebSocket from 'ws';
import { LiveKitVideoProvider } from '../server/src/modules/video/livekit.provider.ts';
import { roomNameFor } from '../server/src/modules/video/room-name.ts';
import { joinSignalOnly, startLiveKit } from '../tests/helpers/livekit.ts';
import { median, report, time } from './lib.ts';

const SIZES = [20, 100];
const RUNS = 5;
const OCCUPIED_RUNS = 3;

const server = await startLiveKit();
const provider = new LiveKitVideoProvider(server);

function roundOf(size: number): string[] {
  const eventId = randomUUID();
  return Array.from({ length: size }, () => roomNameFor({ eventId, round: 1, tableId: randomUUID() }));
}

const provision = (names: string[]) =>
  Promise.all(names.map((name) => provider.ensureRoom(name, { emptyTimeoutSec: 600, maxParticipants: 4 })));
const close = (names: string[]) => Promise.all(names.map((name) => provider.closeRoom(name)));

async function fillWithPairs(names: string[]): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (const roomName of names) {
    for (const who of ['mentor', 'mentee']) {
      const token = await provider.mintParticipantToken({ roomName, identity: `${who}-${randomUUID()}`, name: who, ttlSeconds: 600 });
      sockets.push(await joinSignalOnly(server.url, token));
    }
  }
  return sockets;
}

try {
  // Warm-up: the first API calls pay for connections and JIT.
  const warm = roundOf(5);
  await provision(warm);
  await close(warm);

  const rows: Record<string, string | number> = {};
  for (const size of SIZES) {
    const provisionMs: number[] = [];
    const closeMs: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const names = roundOf(size);
      provisionMs.push((await time(() => provision(names))).ms);
      if ((await provider.listRooms(names)).length !== size) throw new Error('rooms missing after provisioning');
      closeMs.push((await time(() => close(names))).ms);
      if ((await provider.listRooms(names)).length !== 0) throw new Error('rooms left after closing');
    }
    const occupiedCloseMs: number[] = [];
    for (let run = 0; run < OCCUPIED_RUNS; run++) {
      const names = roundOf(size);
      await provision(names);
      const sockets = await fillWithPairs(names);
      const closed = Promise.all(sockets.map((s) => new Promise((resolve) => (s.readyState === WebSocket.CLOSED ? resolve(null) : s.once('close', resolve)))));
      occupiedCloseMs.push((await time(() => close(names))).ms);
      await closed;
    }
    rows[`provision ${size} empty rooms (ms)`] = median(provisionMs);
    rows[`close ${size} empty rooms (ms)`] = median(closeMs);
    rows[`close ${size} rooms with a pair in each (ms)`] = median(occupiedCloseMs);
  }
  console.log(
    `LiveKit ${server.url}, median of ${RUNS} runs (occupied: ${OCCUPIED_RUNS}); Node ${process.version}, ` +
      `${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(1)}`,
  );
  report(rows);
} finally {
  await server.stop();
}
