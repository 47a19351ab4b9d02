/** A conversation starter for a round, so that neither side wonders what to talk about. */
export interface DiscussionPrompt {
  id: string;
  title: string;
  text: string;
}

export const DISCUSSION_PROMPTS: readonly DiscussionPrompt[] = [
  {
    id: 'culture',
    title: 'The company and its culture',
    text: 'How are things done here? What surprised you when you joined?',
  },
  {
    id: 'path',
    title: "The mentor's path",
    text: 'How did the mentor get into this industry, and how did they get where they are?',
  },
  {
    id: 'problem-solving',
    title: 'Problem-solving',
    text: 'Pick one specific challenge the mentee faces right now and work through it together.',
  },
  {
    id: 'leadership',
    title: 'Leadership and management styles',
    text: 'What works, what does not, and why?',
  },
  {
    id: 'balance',
    title: 'Work/life balance',
    text: 'How do you reach it, and how do you keep it?',
  },
  {
    id: 'career-growth',
    title: 'Career growth',
    text: 'Setting goals, plotting a path, and getting past the obstacles on the way.',
  },
];

/** The prompt for a 1-based round: the six prompts in order, then again from the first. */
export function promptForRound(round: number): DiscussionPrompt {
  if (!Number.isInteger(round) || round < 1) {
    throw new RangeError(`A round number is a positive integer, got ${round}.`);
  }
  return DISCUSSION_PROMPTS[(round - 1) % DISCUSSION_PROMPTS.length] as DiscussionPrompt;
}
