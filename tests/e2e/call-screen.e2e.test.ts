/**
 * The participant's screen in a round, in real Chromium with real LiveKit: the partner's video is the
 * largest thing and fully in view at three screen sizes (screenshots kept under docs/screenshots/), and
 * the end of a round is felt: a chime heard in the page's audio output and a flash at the one-minute
 * and ten-second marks, silent for someone who muted it.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { eventually } from '../helpers/livekit.ts';
import { describeLiveStack, partnerVideoLive } from '../helpers/live-pages.ts';

const SCREENSHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

const SIZES = [
  { width: 1280, height: 800, wide: true },
  { width: 1440, height: 900, wide: true },
  { width: 390, height: 844, wide: false },
] as const;

interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
  area: number;
}

/** Where the named elements are, in viewport pixels (null for one not on the page), and the viewport. */
function boxes(page: Page, selectors: Record<string, string>) {
  return page.evaluate((wanted) => {
    const out: Record<string, { left: number; top: number; right: number; bottom: number; area: number } | null> = {};
    for (const [name, selector] of Object.entries(wanted)) {
      const r = document.querySelector(selector)?.getBoundingClientRect();
      out[name] = r && r.width > 0 ? { left: r.left, top: r.top, right: r.right, bottom: r.bottom, area: r.width * r.height } : null;
    }
    return { boxes: out, width: window.innerWidth, height: window.innerHeight, scrollY: window.scrollY };
  }, selectors);
}

const inside = (box: Box, width: number, height: number) => box.left >= 0 && box.top >= 0 && box.right <= width + 0.5 && box.bottom <= height + 0.5;

/**
 * Before any page script: taps every connection into an AudioContext's speakers with an analyser, and
 * keeps the times (page `Date.now()`) at which what goes to the speakers is not silent.
 */
const TAP_AUDIO_OUTPUT = () => {
  const native = AudioNode.prototype.connect as (this: AudioNode, ...args: unknown[]) => unknown;
  const tapped = new WeakSet<BaseAudioContext>();
  const heard: { at: number; peak: number }[] = [];
  (window as unknown as { __heard: typeof heard }).__heard = heard;
  const taps = new WeakMap<BaseAudioContext, AnalyserNode>();
  AudioNode.prototype.connect = function (this: AudioNode, ...args: unknown[]) {
    const result = native.apply(this, args);
    const destination = args[0];
    if (destination instanceof AudioDestinationNode) {
      const context = destination.context;
      let tap = taps.get(context);
      if (!tap) {
        tap = context.createAnalyser();
        tap.fftSize = 32768;
        // The analyser must be pulled to run: through a silent gain, so the tap adds nothing to what is heard.
        const silent = context.createGain();
        silent.gain.value = 0;
        native.call(tap, silent);
        native.call(silent, context.destination);
        taps.set(context, tap);
        const samples = new Float32Array(tap.fftSize);
        const analyser = tap;
        if (!tapped.has(context)) {
          tapped.add(context);
          setInterval(() => {
            analyser.getFloatTimeDomainData(samples);
            let peak = 0;
            for (const s of samples) peak = Math.max(peak, Math.abs(s));
            if (peak > 0.001) heard.push({ at: Date.now(), peak });
          }, 50);
        }
      }
      native.call(this, tap);
    }
    return result as AudioNode;
  } as typeof AudioNode.prototype.connect;
};

const heard = (page: Page) => page.evaluate(() => (window as unknown as { __heard: { at: number; peak: number }[] }).__heard.slice());

describeLiveStack("the participant's call screen, in real browsers", (stack) => {
  beforeAll(() => {
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  it('shows the partner as the largest element, fully in view, at 1280×800, 1440×900 and on a phone', { timeout: 240_000 }, async () => {
    const { pages } = stack;
    const cookie = await pages.organizer('call-screen');
    const { eventId, tables, people } = await pages.event(cookie, { title: 'Call screen evening', rounds: 2, roundSeconds: 900, transitionSeconds: 60 }, [
      ['mentor', 'Marta Mentor'],
      ['mentee', 'Ada Mentee'],
      ['mentee', 'Ben Mentee'],
    ]);
    const mentor = await pages.openLive(tables[0]!.mentor);
    const mentee = await pages.openLive(tables[0]!.mentees[0]!);
    const sitOut = await pages.openLive(people.find((p) => p.role === 'mentee' && p.id !== mentee.person.id)!);
    const { run } = await pages.clock(cookie, eventId);
    const started = await run('clock:start');
    if (started.phase !== 'round') throw new Error(`started in ${started.phase}`);

    // Sitting round 1 out: when the next conversation starts (local time and countdown), with whom, and what to prepare.
    await sitOut.page.getByRole('heading', { name: 'You sit this round out' }).waitFor();
    const next = sitOut.page.locator('[data-next-meeting="2"]');
    await next.getByRole('heading', { name: `Your next conversation: round 2, with ${mentor.person.name}` }).waitFor();
    const secondStart = started.upcoming.find((r) => r.round === 2)!.startsAt;
    const shown = await next.locator('time').getAttribute('datetime');
    expect(Math.abs(Date.parse(shown!) - secondStart)).toBeLessThan(5_000);
    const inText = await next.locator('[data-next-meeting-in]').textContent();
    const [mm, ss] = inText!.split(':').map(Number) as [number, number];
    expect(Math.abs((mm * 60 + ss) * 1000 - (secondStart - Date.now()))).toBeLessThan(10_000);
    await next.getByText(/To prepare/).waitFor();
    await next.locator('article.partner', { hasText: mentor.person.name }).waitFor();
    await sitOut.page.screenshot({ path: `${SCREENSHOTS}participant-sitting-out-1280x800.png` });
    await eventually(() => partnerVideoLive(mentee.page, mentor.person.id), { timeoutMs: 90_000, intervalMs: 250, what: "Ada to see Marta's video" });
    await eventually(() => partnerVideoLive(mentor.page, mentee.person.id), { timeoutMs: 60_000, intervalMs: 250, what: "Marta to see Ada's video" });

    const page = mentee.page;
    for (const size of SIZES) {
      await page.setViewportSize({ width: size.width, height: size.height });
      const selectors = {
        video: `video[data-remote-video="${mentor.person.id}"]`,
        countdown: '[data-countdown]',
        partner: 'article.partner',
        prompt: 'section.prompt',
        self: 'video[aria-label="Your own camera"]',
      };
      // Layout settles after the resize (and the partner's first frames sizing the video).
      const seen = await eventually(
        async () => {
          const m = await boxes(page, selectors);
          const { video, countdown } = m.boxes;
          return m.width === size.width && video && countdown && inside(video, m.width, m.height) && inside(countdown, m.width, m.height) ? m : false;
        },
        { timeoutMs: 20_000, intervalMs: 200, what: `the partner's video and the countdown in view at ${size.width}×${size.height}` },
      );
      const { video, countdown, partner, prompt, self } = seen.boxes as Record<keyof typeof selectors, Box>;
      const where = `${size.width}×${size.height}`;
      expect(seen.scrollY, where).toBe(0);
      for (const [name, other] of Object.entries({ countdown, partner, prompt, self })) {
        expect(other, `${name} on the page at ${where}`).not.toBeNull();
        expect(video.area, `video larger than the ${name} at ${where}`).toBeGreaterThan(other.area);
      }
      // Self-view: a small picture in a corner of the partner's video.
      expect(self.area, `self-view small at ${where}`).toBeLessThan(video.area / 6);
      expect(self.right).toBeLessThanOrEqual(video.right + 1);
      expect(self.bottom).toBeLessThanOrEqual(video.bottom + 1);
      if (size.wide) {
        // Partner card and prompt beside the video, in view.
        expect(partner.left, `partner card beside the video at ${where}`).toBeGreaterThanOrEqual(video.right);
        expect(prompt.left, `prompt beside the video at ${where}`).toBeGreaterThanOrEqual(video.right);
        expect(inside(partner, seen.width, seen.height), `partner card in view at ${where}`).toBe(true);
      } else {
        // On a phone: one scroll below the call.
        expect(partner.top, `partner card below the video at ${where}`).toBeGreaterThanOrEqual(video.bottom);
        expect(prompt.top, `prompt below the video at ${where}`).toBeGreaterThanOrEqual(video.bottom);
        expect(partner.top - seen.height, `partner card within one screen below at ${where}`).toBeLessThan(seen.height);
      }
      await page.screenshot({ path: `${SCREENSHOTS}participant-live-${size.width}x${size.height}.png` });
    }
    // Still what tests and screen readers rely on.
    await page.getByRole('heading', { name: `You are meeting ${mentor.person.name}` }).waitFor();
    await page.getByRole('button', { name: 'Mute microphone' }).waitFor();
    expect(await page.getByRole('timer').count()).toBe(1);
    expect(mentee.errors.filter((e) => !/signal stream|DataChannel error/.test(e))).toEqual([]);
    // The next test needs the machine: these calls end here.
    await run('clock:end-event');
    await Promise.all([mentor, mentee, sitOut].map((side) => side.page.context().close()));
  });

  it("shows a shared table as a gallery: every partner's tile fully in view, each larger than the countdown", { timeout: 240_000 }, async () => {
    const { pages } = stack;
    const cookie = await pages.organizer('gallery');
    const { eventId, tables } = await pages.event(cookie, { title: 'Gallery evening', rounds: 1, roundSeconds: 900, allowSharedTables: true }, [
      ['mentor', 'Marta Mentor'],
      ['mentee', 'Ada Mentee'],
      ['mentee', 'Ben Mentee'],
    ]);
    const table = tables[0]!;
    expect(table.mentees).toHaveLength(2);
    const host = await pages.openLive(table.mentor);
    const guests = [await pages.openLive(table.mentees[0]!), await pages.openLive(table.mentees[1]!)];
    const { run } = await pages.clock(cookie, eventId);
    await run('clock:start');
    // The tiles, whatever each shows (a picture, or "camera off" while it comes): the gallery is the layout under test.
    await host.page.locator('[data-remote-tile]').nth(1).waitFor({ timeout: 90_000 });
    for (const size of [SIZES[0], SIZES[2]]) {
      await host.page.setViewportSize({ width: size.width, height: size.height });
      const selectors = Object.fromEntries([
        ...guests.map((g, i) => [`video${i}`, `[data-remote-tile="${g.person.id}"]`]),
        ['countdown', '[data-countdown]'],
      ]);
      const seen = await eventually(
        async () => {
          const m = await boxes(host.page, selectors);
          return m.width === size.width && Object.values(m.boxes).every((b) => b && inside(b, m.width, m.height)) ? m : false;
        },
        { timeoutMs: 20_000, intervalMs: 200, what: `both partners and the countdown in view at ${size.width}×${size.height}` },
      );
      const [first, second] = [seen.boxes.video0!, seen.boxes.video1!];
      // Side by side on a landscape screen, one above the other on a phone; never overlapping.
      if (size.wide) expect(second.left >= first.right || first.left >= second.right).toBe(true);
      else expect(second.top >= first.bottom || first.top >= second.bottom).toBe(true);
      for (const video of [first, second]) expect(video.area).toBeGreaterThan(seen.boxes.countdown!.area);
      await host.page.screenshot({ path: `${SCREENSHOTS}participant-live-gallery-${size.width}x${size.height}.png` });
    }
    await run('clock:end-event');
    await Promise.all([host, ...guests].map((side) => side.page.context().close()));
  });

  it('chimes and flashes at one minute and at ten seconds before the end, and stays silent for who muted it', { timeout: 240_000 }, async () => {
    const { pages } = stack;
    const cookie = await pages.organizer('chime');
    const { eventId, tables } = await pages.event(cookie, { title: 'Chime evening', rounds: 1, roundSeconds: 75, warnAtSeconds: [60, 10] }, [
      ['mentor', 'Marta Mentor'],
      ['mentee', 'Ada Mentee'],
    ]);
    const mentor = await pages.openLive(tables[0]!.mentor, { initScript: TAP_AUDIO_OUTPUT });
    const mentee = await pages.openLive(tables[0]!.mentees[0]!, { initScript: TAP_AUDIO_OUTPUT });
    const sides = [mentor, mentee];

    // Marta mutes the chime; the choice outlives a reload.
    const mute = mentor.page.getByRole('button', { name: 'Mute end-of-round chime' });
    await mute.click();
    expect(await mute.getAttribute('aria-pressed')).toBe('true');
    await mentor.page.reload();
    await mentor.page.getByRole('heading', { name: 'Waiting for the organizer to start' }).waitFor();
    expect(await mentor.page.getByRole('button', { name: 'Mute end-of-round chime' }).getAttribute('aria-pressed')).toBe('true');
    expect(await mentee.page.getByRole('button', { name: 'Mute end-of-round chime' }).getAttribute('aria-pressed')).toBe('false');

    const { run } = await pages.clock(cookie, eventId);
    const started = await run('clock:start');
    if (started.phase !== 'round') throw new Error(`started in ${started.phase}`);
    const liveRegion = (page: Page) => page.getByRole('status', { name: 'Round updates' });

    for (const [seconds, words] of [
      [60, 'One minute'],
      [10, 'Ten seconds'],
    ] as const) {
      const dueAt = started.endsAt - seconds * 1000;
      // The flash, over the call, on both screens.
      await Promise.all(sides.map((side) => side.page.locator(`[data-round-warning="${seconds}"]`).waitFor({ state: 'visible', timeout: dueAt - Date.now() + 20_000 })));
      // Said in words for screen readers.
      await expect.poll(() => liveRegion(mentee.page).textContent(), { timeout: 10_000 }).toBe(`${words} left with ${mentor.person.name}.`);
      await expect.poll(() => liveRegion(mentor.page).textContent(), { timeout: 10_000 }).toBe(`${words} left with ${mentee.person.name}.`);
      // Heard: Ada's speakers carry the chime right at the mark (the page and this test share the machine's clock).
      const sound = await eventually(
        async () => {
          const samples = (await heard(mentee.page)).filter((s) => s.at >= dueAt - 500 && s.at <= dueAt + 5_000);
          return samples.length > 0 && Date.now() > dueAt + 2_000 ? samples : false;
        },
        { timeoutMs: 20_000, intervalMs: 250, what: `the chime at ${seconds} s on Ada's page` },
      );
      expect(Math.max(...sound.map((s) => s.peak)), `chime at ${seconds} s is audible`).toBeGreaterThan(0.02);
    }
    // Nothing ever went to Marta's speakers: her chime is muted (her flash and words came all the same).
    expect(await heard(mentor.page)).toEqual([]);
    // Nothing sounded on Ada's page before the first mark either.
    const first = (await heard(mentee.page))[0]!;
    expect(first.at).toBeGreaterThanOrEqual(started.endsAt - 60_000 - 500);
  });
});
