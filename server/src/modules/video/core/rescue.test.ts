import type { Profile } from '@constellation/shared/schemas/participants';
import { describe, expect, it } from 'vitest';
import { scorePair } from '../../schedule/core/scoring.ts';
import { listInWords, phraseReasons, planRescue, rescueMessage, type RescueInput, type RescuePerson } from './rescue.ts';

const person = (id: string, profile?: Profile, extra: Partial<RescuePerson> = {}): RescuePerson => ({ id, name: id.toUpperCase(), ...(profile ? { profile } : {}), ...extra });
const input = (mentors: RescuePerson[], mentees: RescuePerson[], rest: Partial<RescueInput> = {}): RescueInput => ({ mentors, mentees, excluded: [], ...rest });
const pairsOf = (plan: { pairs: { mentorId: string; menteeId: string }[] }): string[] => plan.pairs.map((p) => `${p.mentorId}-${p.menteeId}`);

const fintechSql: Profile = { industry: 'fintech', skills: ['sql'] };
const healthHiring: Profile = { industry: 'health', skills: ['hiring'] };
const wantsSql: Profile = { industry: 'fintech', goals: ['sql'] };
const wantsHiring: Profile = { industry: 'health', goals: ['hiring'] };

describe('planRescue', () => {
  it('seats a stranded mentor with a stranded mentee, with the score and reasons of scorePair', () => {
    const plan = planRescue(input([person('m', fintechSql)], [person('e', wantsSql)]));
    expect(plan).toEqual({ pairs: [{ mentorId: 'm', menteeId: 'e', ...scorePair(fintechSql, wantsSql) }], unpaired: [] });
    expect(plan.pairs[0]?.reasons).toEqual(['both in fintech', 'wants sql, which the mentor has']);
  });

  it('passes the scoring options on', () => {
    const mentor = person('m', { timeZone: 'Europe/London' });
    const mentee = person('e', { timeZone: 'America/New_York' });
    const at = '2025-03-20T12:00:00Z'; // New York already on summer time, London not yet
    const plan = planRescue(input([mentor], [mentee], { scoreOptions: { at } }));
    expect(plan.pairs[0]).toMatchObject(scorePair({ timeZone: 'Europe/London' }, { timeZone: 'America/New_York' }, { at }));
  });

  it('gives the best fits when everyone can be seated', () => {
    const plan = planRescue(input([person('a', fintechSql), person('b', healthHiring)], [person('y', wantsHiring), person('x', wantsSql)]));
    expect(pairsOf(plan)).toEqual(['a-x', 'b-y']);
    expect(plan.unpaired).toEqual([]);
  });

  it('seats as many people as possible before chasing the best fit', () => {
    // a–x is the best pair, but it would leave b with nobody: b may not meet y again.
    const plan = planRescue(
      input([person('a', { ...fintechSql, skills: ['sql', 'hiring'] }), person('b', healthHiring)], [person('x', wantsSql), person('y', wantsHiring)], {
        excluded: [{ mentorId: 'b', menteeId: 'y' }],
      }),
    );
    expect(pairsOf(plan)).toEqual(['a-y', 'b-x']);
  });

  it('beats the greedy choice when two good pairs are worth more than one great one', () => {
    const mentors = [person('a', { industry: 'fintech', skills: ['sql', 'hiring'] }), person('b', { skills: ['sql'] })];
    const mentees = [person('x', { industry: 'fintech', goals: ['sql'] }), person('y', { industry: 'fintech', goals: ['hiring'] })];
    // a–x 32 (greedy first), then b–y 0; a–y 32 and b–x 12 make 44.
    const plan = planRescue(input(mentors, mentees));
    expect(pairsOf(plan)).toEqual(['a-y', 'b-x']);
    expect(plan.pairs.reduce((s, p) => s + p.score, 0)).toBe(44);
  });

  it('never seats a pair that already met or that the organizer forbade', () => {
    const plan = planRescue(input([person('m', fintechSql)], [person('x', wantsSql), person('y')], { excluded: [{ mentorId: 'm', menteeId: 'x' }] }));
    expect(pairsOf(plan)).toEqual(['m-y']);
    expect(plan.unpaired).toEqual(['x']);
  });

  it('leaves everyone unpaired when every pair is excluded', () => {
    const plan = planRescue(input([person('m')], [person('e')], { excluded: [{ mentorId: 'm', menteeId: 'e' }] }));
    expect(plan).toEqual({ pairs: [], unpaired: ['m', 'e'] });
  });

  it('pairs people with no profile, since any conversation beats none', () => {
    expect(planRescue(input([person('m')], [person('e')]))).toEqual({ pairs: [{ mentorId: 'm', menteeId: 'e', score: 0, reasons: [] }], unpaired: [] });
  });

  it('gives a mentor one mentee unless they have more seats', () => {
    const mentees = [person('x'), person('y'), person('z')];
    expect(planRescue(input([person('m')], mentees)).pairs).toHaveLength(1);
    expect(planRescue(input([person('m')], mentees, { seats: 2 })).pairs).toHaveLength(2);
    expect(planRescue(input([person('m', undefined, { seats: 3 })], mentees, { seats: 2 })).pairs).toHaveLength(3);
    expect(planRescue(input([person('m', undefined, { seats: 0 })], mentees)).pairs).toHaveLength(0);
  });

  it('prefers people listed earlier when fits are equal', () => {
    expect(planRescue(input([person('m')], [person('x'), person('y'), person('z')]))).toEqual({
      pairs: [{ mentorId: 'm', menteeId: 'x', score: 0, reasons: [] }],
      unpaired: ['y', 'z'],
    });
    expect(pairsOf(planRescue(input([person('a'), person('b')], [person('x')])))).toEqual(['a-x']);
  });

  it('lists pairs by mentor then mentee in input order, and the unpaired mentors before the unpaired mentees', () => {
    const plan = planRescue(input([person('b', fintechSql), person('a'), person('c')], [person('x'), person('y', wantsSql)], { seats: 1 }));
    expect(pairsOf(plan)).toEqual(['b-y', 'a-x']);
    expect(plan.unpaired).toEqual(['c']);
    const mentees = planRescue(input([person('m')], [person('x'), person('y'), person('z')], { excluded: [{ mentorId: 'm', menteeId: 'x' }] }));
    expect(mentees.unpaired).toEqual(['x', 'z']);
  });

  it('counts a repeated person once, and someone listed on both sides as a mentor', () => {
    const plan = planRescue(input([person('m'), person('m'), person('both')], [person('e'), person('e'), person('both')], { seats: 2 }));
    expect(plan.pairs.map((p) => p.menteeId)).toEqual(['e']);
    expect(plan.unpaired).toEqual(['both']);
  });

  it('plans nothing for nobody', () => {
    expect(planRescue(input([], []))).toEqual({ pairs: [], unpaired: [] });
    expect(planRescue(input([person('m')], []))).toEqual({ pairs: [], unpaired: ['m'] });
    expect(planRescue(input([], [person('e')]))).toEqual({ pairs: [], unpaired: ['e'] });
  });
});

describe('rescueMessage', () => {
  const reasons = scorePair(
    { industry: 'Fintech', skills: ['System design', 'SQL'], challenges: ['burnout'], yearsExperience: 10, workingStyle: 'async-first', timeZone: 'Europe/Berlin' },
    {
      industry: 'fintech',
      goals: ['system design'],
      skills: ['sql'],
      challenges: ['burnout'],
      yearsExperience: 3,
      workingStyle: 'Async-First',
      timeZone: 'Europe/London',
    },
  ).reasons;

  it('tells a mentor whose mentee did not come about the mentee they meet instead', () => {
    expect(rescueMessage({ absentName: 'Hannah', partner: { name: 'Kwame', role: 'mentee' }, reasons: ['wants system design, which the mentor has'] })).toBe(
      "Hannah couldn't make it; you are now meeting Kwame, who wants to work on system design.",
    );
  });

  it('tells a mentee whose mentor did not come about the mentor they meet instead', () => {
    expect(rescueMessage({ absentName: 'Hannah', partner: { name: 'Amara', role: 'mentor' }, reasons: ['wants system design, which the mentor has'] })).toBe(
      "Hannah couldn't make it; you are now meeting Amara, who offers guidance on system design.",
    );
  });

  it('turns every reason around for a mentee', () => {
    expect(rescueMessage({ absentName: 'Hannah', partner: { name: 'Amara', role: 'mentor' }, reasons })).toBe(
      "Hannah couldn't make it; you are now meeting Amara, who offers guidance on system design, knows burnout first-hand and has 7 more years of experience. " +
        'You both work in fintech, have sql in common, have the same working style (Async-First) and share 7 h of working hours.',
    );
  });

  it('turns every reason around for a mentor, leaving out how senior they are', () => {
    expect(rescueMessage({ absentName: 'Hannah', partner: { name: 'Kwame', role: 'mentee' }, reasons })).toBe(
      "Hannah couldn't make it; you are now meeting Kwame, who wants to work on system design and is facing burnout. " +
        'You both work in fintech, have sql in common, have the same working style (Async-First) and share 7 h of working hours.',
    );
  });

  it('welcomes a mentee who was sitting the round out', () => {
    expect(rescueMessage({ partner: { name: 'Amara', role: 'mentor' }, reasons: ['same time zone (Europe/Berlin)'] })).toBe(
      'You have a conversation this round after all: you are now meeting Amara. You are in the same time zone.',
    );
  });

  it('says just who, when there is no reason to give', () => {
    expect(rescueMessage({ absentName: 'Hannah', partner: { name: 'Kwame', role: 'mentee' } })).toBe("Hannah couldn't make it; you are now meeting Kwame.");
    expect(rescueMessage({ absentName: '  ', partner: { name: 'Kwame', role: 'mentee' }, reasons: [] })).toBe(
      'You have a conversation this round after all: you are now meeting Kwame.',
    );
  });

  it('names every absent mentee of a shared table', () => {
    expect(rescueMessage({ absentName: ['Hannah', 'Lea'], partner: { name: 'Kwame', role: 'mentee' } })).toBe("Hannah and Lea couldn't make it; you are now meeting Kwame.");
  });

  it('copes with a partner without a name', () => {
    expect(rescueMessage({ partner: { name: ' ', role: 'mentor' } })).toBe('You have a conversation this round after all: you are now meeting a mentor.');
  });

  it('keeps long topic lists short', () => {
    const many = ['a', 'b', 'c', 'd'].map((g) => `wants ${g}, which the mentor has`);
    expect(rescueMessage({ absentName: 'Hannah', partner: { name: 'Kwame', role: 'mentee' }, reasons: many })).toBe(
      "Hannah couldn't make it; you are now meeting Kwame, who wants to work on a, b and c.",
    );
  });
});

describe('phraseReasons', () => {
  it('recognises every kind of reason scorePair gives', () => {
    expect(phraseReasons(reasons(), 'mentor').unknown).toEqual([]);
    expect(phraseReasons(['same time zone (Europe/Paris)', '1 year ahead', 'mentor is 1 year ahead (3 vs 2 years of experience)'], 'mentor')).toEqual({
      partner: ['has 1 more year of experience'],
      shared: ['are in the same time zone'],
      unknown: ['1 year ahead'],
    });
  });

  function reasons(): string[] {
    return scorePair(
      { industry: 'x', skills: ['a', 'b'], challenges: ['c'], yearsExperience: 9, workingStyle: 's', timeZone: 'Europe/Paris' },
      { industry: 'x', goals: ['a'], skills: ['b'], challenges: ['c'], yearsExperience: 1, workingStyle: 's', timeZone: 'Europe/Paris' },
    ).reasons;
  }
});

describe('listInWords', () => {
  it('joins lists the way people write them', () => {
    expect(listInWords([])).toBe('');
    expect(listInWords(['a'])).toBe('a');
    expect(listInWords(['a', 'b'])).toBe('a and b');
    expect(listInWords(['a', 'b', 'c'])).toBe('a, b and c');
  });
});
