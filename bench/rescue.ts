/**
 * Live rescue as people see it: the app's own live pages in real Chromium, on a real LiveKit, from
 * the no-show point to both rescued people seeing the other's picture, median and max over TRIALS
 * rescues, beside a plain round start in the same events (a pair waiting on standby in its room,
 * going live when the round starts).
 *
 * Each trial is an event of three tables: at table 1 the mentee never comes, at table 2 the mentor
 * never comes, table 3 meets normally. The server re-pairs the two left waiting at the no-show
 * point; their pages joined the rescue room unseen a few seconds before it (`video:spare`), as the
 * app does. Times are the pages' own first decoded partner frame (`recordFirstFrames`), not when
 * the script looked.
 *
 *   npx tsx bench/rescue.ts      (TRIALS=10 NO_SHOW_SECONDS=10; PostgreSQL at BENCH_ADMIN_DATABASE_URL, livekit-server, Chromium)
 */
import { startBenchLiveStack } from './live-stack.ts';
import { median } from './lib.ts';
import { eventually } from '../tests/helpers/livekit.ts';
import { LivePages, firstFrameOf, recordFirstFrames, type LiveSide, type Person } from '../tests/helpers/live-pages.ts';

const TRIALS = Number(process.env.TRIALS ?? 10);
const NO_SHOW_SECONDS = Number(process.env.NO_SHOW_SECONDS ?? 10);

/** When both pages first showed the other's picture (the later of the two), once both have. */
const bothSeen = (a: LiveSide, b: LiveSide) =>
  eventually(
    async () => {
      const pair = [await firstFrameOf(a.page, b.person.id), await firstFrameOf(b.page, a.person.id)];
      return pair.every((at) => at !== null) ? Math.max(...(pair as number[])) : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 50, what: `${a.person.name} and ${b.person.name} to see each other` },
  );

const { server, browser, undo } = await startBenchLiveStack('rescue');
try {
  const rescues: number[] = [];
  const plainStarts: number[] = [];
  for (let trial = 1; trial <= TRIALS; trial++) {
    const pages = new LivePages(server, browser);
    const cookie = await pages.organizer(`rescue-${trial}`);
    const people = [1, 2, 3].flatMap((k) => [['mentor', `Mentor ${k}`] as const, ['mentee', `Mentee ${k}`] as const]);
    const { eventId, tables } = await pages.event(cookie, { title: `Rescue ${trial}`, rounds: 1, roundSeconds: 300, noShowAfterSeconds: NO_SHOW_SECONDS }, people, trial);
    const [first, second, third] = tables as [(typeof tables)[number], (typeof tables)[number], (typeof tables)[number]];
    const open = (person: Person) => pages.openLive(person, { initScript: recordFirstFrames });
    // Present: table 1's mentor, table 2's mentee, both of table 3.
    const [waitingMentor, waitingMentee, plainMentor, plainMentee] = [
      await open(first.mentor),
      await open(second.mentees[0]!),
      await open(third.mentor),
      await open(third.mentees[0]!),
    ];
    const { run } = await pages.clock(cookie, eventId);
    const started = await run('clock:start');
    if (started.phase !== 'round') throw new Error(`started in ${started.phase}`);
    const noShowPoint = started.startsAt + NO_SHOW_SECONDS * 1000;
    plainStarts.push((await bothSeen(plainMentor, plainMentee)) - started.startsAt);
    rescues.push((await bothSeen(waitingMentor, waitingMentee)) - noShowPoint);
    console.log(`trial ${trial}: rescue ${rescues.at(-1)} ms after the no-show point; plain start ${plainStarts.at(-1)} ms after the round start`);
    await run('clock:end-event');
    await pages.close();
  }
  const line = (label: string, values: number[]) => console.log(`${label.padEnd(56)} median ${median(values).toFixed(0)} ms, max ${Math.max(...values).toFixed(0)} ms`);
  console.log(`\n${TRIALS} trials, no-show point ${NO_SHOW_SECONDS} s after the start`);
  line('no-show point → both rescued see each other', rescues);
  line('baseline: round start → a standby pair sees each other', plainStarts);
  console.log(`ratio (median rescue / median plain start)               ${(median(rescues) / median(plainStarts)).toFixed(2)}`);
} finally {
  for (const step of undo) await step().catch((error: unknown) => console.error('cleanup failed:', error));
}
