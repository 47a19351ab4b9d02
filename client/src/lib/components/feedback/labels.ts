/** "1st choice", "3rd choice", "not ranked": the mentee's rank of a mentor, in words. */
export function choiceLabel(rank: number | null): string {
  if (rank === null) return 'not ranked';
  return `${ordinal(rank)} choice`;
}

/** The mentor's fit rating of a mentee, in words. */
export function fitLabel(fit: number | null): string {
  return fit === null ? 'not rated' : `fit ${fit} of 5`;
}

export function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
}

export function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}
