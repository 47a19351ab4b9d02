import {
  CSV_COLUMNS,
  CSV_LIST_SEPARATOR,
  CSV_REQUIRED_COLUMNS,
  type CsvColumn,
} from '@constellation/shared/schemas/participants';

/** One field, quoted when it holds a delimiter, quote or line break (RFC 4180). */
export function csvField(value: string | number | undefined | null): string {
  const text = value === undefined || value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(rows: readonly (readonly (string | number | undefined | null)[])[]): string {
  return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

export const COLUMN_HELP: Record<CsvColumn, string> = {
  role: '"mentor" or "mentee"',
  name: 'Full name',
  email: 'Where the invitation goes',
  industry: 'For example fintech',
  offers: `Mentors: strengths they can teach, separated by "${CSV_LIST_SEPARATOR}"`,
  wants: `Mentees: skills they want to build, separated by "${CSV_LIST_SEPARATOR}"`,
  skills: `Old column, still read: strengths on a mentor's row, wanted skills on a mentee's; use offers and wants instead`,
  years_experience: 'Whole years, 0 to 70',
  goals: `Separated by "${CSV_LIST_SEPARATOR}"`,
  challenges: `Separated by "${CSV_LIST_SEPARATOR}"`,
  working_style: 'Free text, for example "async first"',
  time_zone: 'IANA name, for example Europe/Berlin',
  capacity: 'Mentors: how many mentees they can take on, 1 to 5',
  constellation_size: 'Mentees: how many mentors they may end with, 1 to 5',
};

export const isRequiredColumn = (column: CsvColumn) => CSV_REQUIRED_COLUMNS.includes(column);

export { CSV_COLUMNS };

/** The header plus two example rows, one per role. */
export function participantsTemplate(): string {
  const example: Record<'mentor' | 'mentee', Partial<Record<CsvColumn, string | number>>> = {
    mentor: {
      role: 'mentor',
      name: 'Grace Hopper',
      email: 'grace@example.com',
      industry: 'software',
      offers: ['compilers', 'people management'].join(CSV_LIST_SEPARATOR),
      years_experience: 20,
      working_style: 'direct',
      time_zone: 'America/New_York',
      capacity: 2,
    },
    mentee: {
      role: 'mentee',
      name: 'Alan Turing',
      email: 'alan@example.com',
      industry: 'software',
      wants: ['systems design'].join(CSV_LIST_SEPARATOR),
      years_experience: 2,
      goals: ['lead a team', 'speak at conferences'].join(CSV_LIST_SEPARATOR),
      challenges: ['imposter syndrome'].join(CSV_LIST_SEPARATOR),
      time_zone: 'Europe/London',
      constellation_size: 2,
    },
  };
  return toCsv([
    CSV_COLUMNS,
    CSV_COLUMNS.map((column) => example.mentor[column]),
    CSV_COLUMNS.map((column) => example.mentee[column]),
  ]);
}
