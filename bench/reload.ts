/**
 * Back in seconds: a participant reloads their page mid-round, in real Chromium on the app's own
 * live pages and a real LiveKit. Per trial: reload → the reloaded page shows the partner's picture,
 * and → the partner sees the reloaded page's picture again; beside it, in the same run, a first join
 * mid-round (a fresh browser with nothing cached, from the click on "Go to the live event").
 * Times are the pages' own first decoded frames (`recordFirstFrames`), not when the script looked.
 *
 *   npx tsx bench/reload.ts      (TRIALS=10; PostgreSQL at BENCH_ADMIN_DATABASE_URL, livekit-server, Chromium)
 */
import type { Page } from 'playwright-core';
import { startBenchLiveStack } from './live-stack.ts';
import { median } from './lib.ts';
import { eventually } from '../tests/helpers/livekit.ts';
import { LivePages, firstFrameOf, recordFirstFrames, type Person } from '../tests/helpers/live-pages.ts';

const TRIALS = Number(process.env.TRIALS ?? 10);

/** When `viewer` first showed `viewed`'s picture at or after `since`. */
const seen = (viewer: Page, viewed: Person, since: number) =>
  eventually(() => firstFrameOf(viewer, viewed.id, since).then((at) => at ?? undefined), { timeoutMs: 60_000, intervalMs: 25, what: `${viewed.name} to be seen` });

const { server, browser, undo } = await startBenchLiveStack('reload');
try {

  const pages = new LivePages(server, browser);
  undo.unshift(() => pages.close());
  const cookie = await pages.organizer('reload');
  const { eventId, tables } = await pages.event(cookie, { title: 'Reload', rounds: 1, roundSeconds: 3600, noShowAfterSeconds: 3000 }, [
    ['mentor', 'Rosa Mentor'],
    ['mentee', 'Sami Mentee'],
  ]);
  const [mentorPerson, menteePerson] = [tables[0]!.mentor, tables[0]!.mentees[0]!];
  const mentor = await pages.openLive(mentorPerson, { initScript: recordFirstFrames });
  const { run } = await pages.clock(cookie, eventId);
  await run('clock:start');

  const reloadSelf: number[] = [];
  const reloadPartner: number[] = [];
  const joinSelf: number[] = [];
  const joinPartner: number[] = [];
  for (let trial = 1; trial <= TRIALS; trial++) {
    // A first join mid-round: a fresh browser, from the click into the live event.
    const mentee = await pages.openJoin(menteePerson, { initScript: recordFirstFrames });
    const link = mentee.getByRole('link', { name: 'Go to the live event' });
    await link.waitFor();
    const clickAt = Date.now();
    await link.click();
    joinSelf.push((await seen(mentee, mentorPerson, clickAt)) - clickAt);
    joinPartner.push((await seen(mentor.page, menteePerson, clickAt)) - clickAt);
    // Then a reload of that page.
    const reloadAt = Date.now();
    await mentee.reload();
    reloadSelf.push((await seen(mentee, mentorPerson, reloadAt)) - reloadAt);
    reloadPartner.push((await seen(mentor.page, menteePerson, reloadAt)) - reloadAt);
    console.log(
      `trial ${trial}: first join: sees ${joinSelf.at(-1)} ms, seen ${joinPartner.at(-1)} ms; reload: sees ${reloadSelf.at(-1)} ms, seen again ${reloadPartner.at(-1)} ms`,
    );
    await mentee.context().close();
  }
  const line = (label: string, values: number[]) => console.log(`${label.padEnd(54)} median ${median(values).toFixed(0)} ms, max ${Math.max(...values).toFixed(0)} ms`);
  console.log(`\n${TRIALS} trials`);
  line('reload → the reloaded page sees the partner', reloadSelf);
  line('reload → the partner sees the reloaded page again', reloadPartner);
  line('baseline: first join → sees the partner', joinSelf);
  line('baseline: first join → seen by the partner', joinPartner);
  console.log(`ratio (median reload, both seen / median first join)   ${(median(reloadPartner.map((p, k) => Math.max(p, reloadSelf[k]!))) / median(joinPartner.map((p, k) => Math.max(p, joinSelf[k]!)))).toFixed(2)}`);
} finally {
  for (const step of undo) await step().catch((error: unknown) => console.error('cleanup failed:', error));
}
