import { parse } from 'csv-parse/sync';
import type { Problem } from '@constellation/shared/schemas/common';
import {
  CSV_COLUMNS,
  CSV_LIST_SEPARATOR,
  CSV_REQUIRED_COLUMNS,
  type CsvColumn,
  type ParticipantCreateBody,
  type Profile,
} from '@constellation/shared/schemas/participants';
import { EMAIL_PATTERN, isValidTimeZone } from '../../lib/validation.ts';

export const MAX_IMPORT_ROWS = 20_000;

export type CsvImportResult = { ok: true; rows: ParticipantCreateBody[] } | { ok: false; message: string; problems: Problem[] };

const MAX_PROBLEMS = 1000;

/**
 * Parses and validates a whole participants CSV (pure: no I/O). Rows are numbered as a spreadsheet
 * shows them: the header is row 1. Every problem is reported, not just the first.
 * `existingEmails` are the (lower-cased) emails already in the event.
 */
export function parseParticipantsCsv(text: string, existingEmails: ReadonlySet<string> = new Set()): CsvImportResult {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: false }) as string[][];
  } catch (error) {
    const e = error as { message?: string; lines?: number };
    return fail('The file is not valid CSV', [{ row: e.lines, message: String(e.message ?? error) }]);
  }
  records = records.filter((r) => r.some((cell) => cell.trim() !== ''));
  if (records.length === 0) return fail('The file is empty', [{ row: 1, message: 'expected a header row: ' + CSV_COLUMNS.join(',') }]);

  const header = records[0]!.map((h) => h.trim().toLowerCase().replace(/[\s-]+/g, '_'));
  const problems: Problem[] = [];
  const columnIndex = new Map<CsvColumn, number>();
  header.forEach((name, i) => {
    if (!(CSV_COLUMNS as readonly string[]).includes(name)) {
      problems.push({ row: 1, column: name || `#${i + 1}`, message: `unknown column; expected some of ${CSV_COLUMNS.join(', ')}` });
    } else if (columnIndex.has(name as CsvColumn)) {
      problems.push({ row: 1, column: name, message: 'column appears twice' });
    } else {
      columnIndex.set(name as CsvColumn, i);
    }
  });
  for (const required of CSV_REQUIRED_COLUMNS) {
    if (!columnIndex.has(required)) problems.push({ row: 1, column: required, message: 'required column is missing from the header row' });
  }
  if (problems.length) return fail('The header row is not right', problems);
  if (records.length === 1) return fail('The file has a header but no participants', [{ row: 2, message: 'no data rows' }]);
  if (records.length - 1 > MAX_IMPORT_ROWS) {
    return fail(`Too many rows: at most ${MAX_IMPORT_ROWS} participants per import`, [{ row: MAX_IMPORT_ROWS + 2, message: 'too many rows' }]);
  }

  const rows: ParticipantCreateBody[] = [];
  const seenEmails = new Map<string, number>();
  for (let r = 1; r < records.length; r++) {
    const record = records[r]!;
    const rowNumber = r + 1;
    const report = (column: CsvColumn | undefined, message: string): void => {
      if (problems.length < MAX_PROBLEMS) problems.push({ row: rowNumber, ...(column ? { column } : {}), message });
    };
    if (record.length > header.length) report(undefined, `has ${record.length} cells but the header has ${header.length} columns`);
    const cell = (column: CsvColumn): string => {
      const i = columnIndex.get(column);
      return i === undefined ? '' : (record[i] ?? '').trim();
    };

    const role = cell('role').toLowerCase();
    if (role !== 'mentor' && role !== 'mentee') report('role', `must be "mentor" or "mentee", got "${cell('role')}"`);
    const name = cell('name');
    if (!name) report('name', 'is required');
    else if (name.length > 120) report('name', 'is longer than 120 characters');
    const email = cell('email');
    const emailKey = email.toLowerCase();
    if (!email) report('email', 'is required');
    else if (email.length > 254 || !EMAIL_PATTERN.test(email)) report('email', `"${email}" is not a valid email address`);
    else if (seenEmails.has(emailKey)) report('email', `${email} already appears in row ${seenEmails.get(emailKey)}`);
    else if (existingEmails.has(emailKey)) report('email', `${email} is already a participant of this event`);
    if (email && !seenEmails.has(emailKey)) seenEmails.set(emailKey, rowNumber);

    const profile: Profile = {};
    const text = (column: CsvColumn, max: number): string | undefined => {
      const value = cell(column);
      if (!value) return undefined;
      if (value.length > max) report(column, `is longer than ${max} characters`);
      return value;
    };
    const list = (column: CsvColumn): string[] | undefined => {
      const raw = cell(column);
      if (!raw) return undefined;
      const items = raw.split(CSV_LIST_SEPARATOR).map((s) => s.trim()).filter(Boolean);
      if (items.length > 30) report(column, `has ${items.length} items; at most 30`);
      if (items.some((s) => s.length > 80)) report(column, 'has an item longer than 80 characters');
      return items;
    };
    const integer = (column: CsvColumn, min: number, max: number): number | undefined => {
      const raw = cell(column);
      if (!raw) return undefined;
      const value = Number(raw);
      if (!/^\d+$/.test(raw) || value < min || value > max) {
        report(column, `must be a whole number from ${min} to ${max}, got "${raw}"`);
        return undefined;
      }
      return value;
    };

    const industry = text('industry', 80);
    if (industry) profile.industry = industry;
    const skills = list('skills');
    if (skills) profile.skills = skills;
    const years = integer('years_experience', 0, 70);
    if (years !== undefined) profile.yearsExperience = years;
    const goals = list('goals');
    if (goals) profile.goals = goals;
    const challenges = list('challenges');
    if (challenges) profile.challenges = challenges;
    const workingStyle = text('working_style', 80);
    if (workingStyle) profile.workingStyle = workingStyle;
    const timeZone = text('time_zone', 64);
    if (timeZone) {
      if (isValidTimeZone(timeZone)) profile.timeZone = timeZone;
      else report('time_zone', `"${timeZone}" is not a known IANA time zone (for example Europe/Berlin)`);
    }
    const capacity = integer('capacity', 1, 5);
    const constellationSize = integer('constellation_size', 1, 5);

    rows.push({
      role: role as ParticipantCreateBody['role'],
      name,
      email,
      profile,
      ...(capacity !== undefined ? { capacity } : {}),
      ...(constellationSize !== undefined ? { constellationSize } : {}),
    });
  }
  if (problems.length) {
    // Within a row, report problems in the file's column order, as the organizer reads it.
    const position = (p: Problem) => (p.column ? (columnIndex.get(p.column as CsvColumn) ?? -1) : -1);
    problems.sort((a, b) => (a.row ?? 0) - (b.row ?? 0) || position(a) - position(b));
    return fail(`${problems.length}${problems.length >= MAX_PROBLEMS ? '+' : ''} problem(s) found; nothing was imported`, problems);
  }
  return { ok: true, rows };
}

function fail(message: string, problems: Problem[]): CsvImportResult {
  return { ok: false, message, problems };
}
