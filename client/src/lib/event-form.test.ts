import { describe, expect, it } from 'vitest';
import type { Event } from '@constellation/shared/schemas/events';
import { bodyFromValues, defaultValues, valuesFromEvent, type EventFormValues } from './event-form.ts';

describe('event form', () => {
  const base = { ...defaultValues(new Date('2030-05-13T08:00:00Z'), 'Europe/Berlin'), title: '  Spring circle ' };

  it('starts tomorrow at 10:00 in the organizer zone with the house defaults', () => {
    expect(base.startLocal).toBe('2030-05-14T10:00');
    expect(base.roundMinutes).toBe(7);
  });

  it('turns minutes into seconds and the local start into an instant', () => {
    const { body } = bodyFromValues({ ...base, roundMinutes: 8, breaks: [{ afterRound: 4, minutes: 5 }] });
    expect(body).toMatchObject({
      title: 'Spring circle',
      scheduledStart: '2030-05-14T08:00:00.000Z',
      timeZone: 'Europe/Berlin',
      roundSeconds: 480,
      breaks: [{ afterRound: 4, seconds: 300 }],
    });
  });

  it('refuses a break after the last round or two breaks after the same round', () => {
    expect(bodyFromValues({ ...base, rounds: 4, breaks: [{ afterRound: 4, minutes: 5 }] }).problems).toHaveLength(1);
    const twice = [
      { afterRound: 2, minutes: 5 },
      { afterRound: 2, minutes: 3 },
    ];
    expect(bodyFromValues({ ...base, breaks: twice }).problems).toEqual([
      { field: 'breaks', message: 'Only one break can follow each round.' },
    ]);
  });

  it('reads reminders in hours and the follow-up as days plus a local time', () => {
    expect(base.remindersHours).toBe('24, 1');
    const { body } = bodyFromValues({ ...base, remindersHours: '1, 48 ; 0.5', followUpDays: 3, followUpTime: '18:30' });
    expect(body).toMatchObject({ reminderOffsetsMinutes: [2880, 60, 30], followUpDays: 3, followUpTime: '18:30' });
    expect(bodyFromValues({ ...base, remindersHours: '' }).body).toMatchObject({ reminderOffsetsMinutes: [], followUpTime: null });
    expect(bodyFromValues({ ...base, remindersHours: 'soon' }).problems).toEqual([expect.objectContaining({ field: 'reminderOffsetsMinutes' })]);
  });

  it('reads the warning times as typed, and refuses what the server would', () => {
    expect(base.warnAt).toBe('60, 10');
    expect(bodyFromValues(base).body?.warnAtSeconds).toEqual([60, 10]);
    expect(bodyFromValues({ ...base, warnAt: '10 120;30' }).body?.warnAtSeconds).toEqual([120, 30, 10]);
    expect(bodyFromValues({ ...base, warnAt: '  ' }).body?.warnAtSeconds).toEqual([]);
    for (const bad of ['0', '60, 60', '1.5', 'one minute', '1 2 3 4 5 6', '3601']) {
      expect(bodyFromValues({ ...base, warnAt: bad }).problems.map((p) => p.field), bad).toEqual(['warnAtSeconds']);
    }
  });

  it('sends one format per round when circles are on, one-to-one for rounds without a choice, and null when off', () => {
    expect(bodyFromValues(base).body?.roundFormats).toBeNull();
    const { body } = bodyFromValues({ ...base, rounds: 4, circles: true, roundSizes: [1, 1, 5] });
    expect(body?.roundFormats).toEqual([{ kind: 'pairs' }, { kind: 'pairs' }, { kind: 'circle', size: 5 }, { kind: 'pairs' }]);
    expect(bodyFromValues({ ...base, rounds: 2, circles: true, roundSizes: [4, 4, 4] }).body?.roundFormats).toHaveLength(2);
    expect(bodyFromValues({ ...base, rounds: 2, circles: false, roundSizes: [4, 4] }).body?.roundFormats).toBeNull();
  });

  it('sends two mentors per circle only for circle rounds that ask for it, and reads it back', () => {
    const values = { ...base, rounds: 4, circles: true, roundSizes: [1, 4, 3, 5], roundHosts: [2, 2, 1] };
    const formats = bodyFromValues(values).body?.roundFormats;
    expect(formats).toEqual([{ kind: 'pairs' }, { kind: 'circle', size: 4, hosts: 2 }, { kind: 'circle', size: 3 }, { kind: 'circle', size: 5 }]);

    const reloaded = valuesFromEvent(eventOf(values));
    expect(reloaded.roundSizes).toEqual([1, 4, 3, 5]);
    expect(reloaded.roundHosts).toEqual([1, 2, 1, 1]);
    expect(bodyFromValues(reloaded).body?.roundFormats).toEqual(formats);
  });
});

/** The event the server would answer with for these values. */
function eventOf(values: EventFormValues): Event {
  const body = bodyFromValues(values).body;
  if (!body) throw new Error('invalid values');
  return {
    ...body,
    id: '00000000-0000-4000-8000-000000000000',
    description: body.description ?? '',
    roundSeconds: body.roundSeconds ?? 420,
    transitionSeconds: body.transitionSeconds ?? 60,
    rounds: body.rounds ?? 6,
    breaks: body.breaks ?? [],
    allowSharedTables: body.allowSharedTables ?? false,
    heldAfterSeconds: null,
    noShowAfterSeconds: null,
    reminderOffsetsMinutes: body.reminderOffsetsMinutes ?? [],
    followUpDays: body.followUpDays ?? 7,
    followUpTime: body.followUpTime ?? null,
    warnAtSeconds: body.warnAtSeconds ?? [],
    roundFormats: body.roundFormats ?? null,
    status: 'draft',
    participantCounts: { mentors: 0, mentees: 0 },
    createdAt: '2030-05-01T00:00:00.000Z',
    updatedAt: '2030-05-01T00:00:00.000Z',
  };
}
