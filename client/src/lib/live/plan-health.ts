import type { Advice, PlanHealthView } from '@constellation/shared/schemas/schedule';

type Health = NonNullable<PlanHealthView['health']>;
type Range = Health['meetingsPerMentee'];

export const LEVEL_LABEL: Record<Health['level'], string> = { good: 'Good', fair: 'Some sit out', thin: 'Thin' };

/** "50 %" */
export function percent(share: number): string {
  return `${Math.round(share * 100)} %`;
}

const mentors = (k: number) => `${k} ${k === 1 ? 'mentor' : 'mentors'}`;

/** "every mentee meets 2 mentors" or "every mentee meets 2 or 3 mentors" */
export function meetingsPhrase(range: Range): string {
  if (range.min === range.max) return `every mentee meets ${mentors(range.min)}`;
  return `every mentee meets ${range.min === 0 ? 'up to' : `${range.min} or`} ${mentors(range.max)}`;
}

/** One sentence for the plan as it is: "Thin: half the mentees sit out each round; some meet only 1 mentor (3 possible)." */
export function healthSummary(health: Health): string {
  if (health.level === 'good') {
    return `Good: ${meetingsPhrase(health.meetingsPerMentee)}, as many as the rounds allow${health.sitOutShare > 0 ? ' (those who sit out have met every mentor they can)' : ''}.`;
  }
  const out = health.sitOutsPerRound;
  const each = out.min === out.max ? `${out.max} of ${health.mentees} mentees sit out each round` : `${out.min} to ${out.max} of ${health.mentees} mentees sit out each round`;
  const half = out.min === out.max && out.max * 2 === health.mentees ? 'half the mentees sit out each round' : each;
  return `${LEVEL_LABEL[health.level]}: ${half}; some meet only ${mentors(health.meetingsPerMentee.min)} (${health.reach} possible).`;
}

/** What a change gives, from the planner's own run: "With 5 rounds every mentee meets 2 mentors." */
export function adviceSentence(advice: Advice, now: Health): string {
  const effect = [meetingsPhrase(advice.meetingsPerMentee)];
  if (advice.sitOutShare === 0) effect.unshift('nobody sits out');
  else if (advice.sitOutShare < now.sitOutShare) effect.push(`sit-outs drop to ${percent(advice.sitOutShare)}`);
  const what = effect.join(', ');
  switch (advice.kind) {
    case 'more-rounds':
      return `With ${advice.rounds} rounds ${what}.`;
    case 'shared-tables':
      return `Shared tables (a mentor hosts two mentees at once where needed): ${what}.`;
    case 'more-mentors':
      return `With ${advice.mentors} more ${advice.mentors === 1 ? 'mentor' : 'mentors'}: ${what}.`;
  }
}
