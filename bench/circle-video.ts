/**
 * A mentoring circle's round start as its members see it (issue 13): the app's own live pages in
 * real Chromium, on a real LiveKit, for a circle of six (one mentor, five mentees), from the round's
 * start until every member sees all five others, over TRIALS events. Baseline in the same run, on
 * the same machine and stack: a 1:1 pair's round start (two pages), measured the same way right
 * after each circle. Everyone arrives before the start and waits in their room on standby, as the
 * app has them do. Times are the pages' own first decoded frame of each partner (`recordFirstFrames`),
 * not when the script looked.
 *
 *   npx tsx bench/circle-video.ts      (TRIALS=5 CIRCLE=6; PostgreSQL at BENCH_ADMIN_DATABASE_URL, livekit-server, Chromium)
 */
import { startBenchLiveStack } from './live-stack.ts';
import { median } from './lib.ts';
import { eventually } from '../tests/helpers/livekit.ts';
import { LivePages, firstFrameOf, recordFirstFrames, type LiveSide } from '../tests/helpers/live-pages.ts';

const TRIALS = Number(process.env.TRIALS ?? 5);
const CIRCLE = Number(process.env.CIRCLE ?? 6);

/** When the last of `sides` first showed the last of the others' pictures (page clocks), once all have. */
const allSeeAll = (sides: LiveSide[]) =>
  eventually(
    async () => {
      const seen: (number | null)[] = [];
      for (const viewer of sides) {
        for (const viewed of sides) if (viewed !== viewer) seen.push(await firstFrameOf(viewer.page, viewed.person.id));
      }
      return seen.every((at) => at !== null) ? { first: Math.min(...(seen as number[])), last: Math.max(...(seen as number[])) } : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 50, what: `all ${sides.length} to see each other` },
  );

/** One event of one round: opens every member's page on standby, starts the clock, and times the pictures. */
async function roundStart(pages: LivePages, label: string, people: (readonly ['mentor' | 'mentee', string])[], circle: boolean) {
  const cookie = await pages.organizer(label.toLowerCase().replace(/[^a-z0-9]+/g, "-"));
  const { eventId, tables } = await pages.event(
    cookie,
    { title: label, rounds: 1, roundSeconds: 300, noShowAfterSeconds: 3600, ...(circle ? { roundFormats: [{ kind: 'circle' as const, size: people.length - 1 }] } : {}) },
    people,
  );
  if (tables.length !== 1) throw new Error(`${label}: expected one table, got ${tables.length}`);
  const members = [tables[0]!.mentor, ...tables[0]!.mentees];
  const sides: LiveSide[] = [];
  for (const person of members) sides.push(await pages.openLive(person, { initScript: recordFirstFrames }));
  for (const side of sides) await side.page.locator('[data-call-standby]').waitFor({ timeout: 60_000 });
  const { run } = await pages.clock(cookie, eventId);
  const started = await run('clock:start');
  if (started.phase !== 'round') throw new Error(`started in ${started.phase}`);
  const { first, last } = await allSeeAll(sides);
  await run('clock:end-event');
  return { all: last - started.startsAt, first: first - started.startsAt, pairs: sides.length * (sides.length - 1) };
}

const { server, browser, undo } = await startBenchLiveStack('circle-video');
try {
  const circles: number[] = [];
  const firsts: number[] = [];
  const pairs: number[] = [];
  for (let trial = 1; trial <= TRIALS; trial++) {
    const pages = new LivePages(server, browser);
    const members: (readonly ['mentor' | 'mentee', string])[] = [['mentor', `Mentor ${trial}`], ...Array.from({ length: CIRCLE - 1 }, (_, k) => ['mentee', `Mentee ${trial}.${k + 1}`] as const)];
    const circle = await roundStart(pages, `Circle ${trial}`, members, true);
    await pages.close();
    const pairPages = new LivePages(server, browser);
    const pair = await roundStart(pairPages, `Pair ${trial}`, [['mentor', `Pair mentor ${trial}`], ['mentee', `Pair mentee ${trial}`]], false);
    await pairPages.close();
    circles.push(circle.all);
    firsts.push(circle.first);
    pairs.push(pair.all);
    console.log(`trial ${trial}: circle of ${CIRCLE}: all ${circle.pairs} pictures ${circle.all} ms after the round start (first ${circle.first} ms); 1:1 pair: both ${pair.all} ms`);
  }
  const m = (xs: number[]) => Math.round(median(xs));
  console.log(
    `\ncircle of ${CIRCLE}, round start → every member sees all ${CIRCLE - 1} others: median ${m(circles)} ms, max ${Math.max(...circles)} ms (first picture median ${m(firsts)} ms)` +
      `\nbaseline, 1:1 pair in the same run: median ${m(pairs)} ms, max ${Math.max(...pairs)} ms` +
      `\nratio circle / pair (medians): ${(median(circles) / median(pairs)).toFixed(2)}`,
  );
} finally {
  for (const step of undo) await step().catch(() => {});
}
