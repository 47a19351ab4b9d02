import { pipeline } from 'node:stream/promises';
import { CsvError, parse as parseStream } from 'csv-parse';
import { parse } from 'csv-parse/sync';
import type { Problem } from '@constellation/shared/schemas/common';
import {
  CSV_COLUMNS,
  CSV_LEGACY_COLUMNS,
  CSV_LIST_SEPARATOR,
  CSV_REQUIRED_COLUMNS,
  type CsvColumn,
  type ParticipantCreateBody,
  type Profile,
} from '@constellation/shared/schemas/participants';
import { EMAIL_PATTERN, UNSTORABLE_MESSAGE, hasUnstorableCharacter, isValidTimeZone } from '../../lib/validation.ts';

export const MAX_IMPORT_ROWS = 20_000;

/** A failed import answers 422 (per-row problems) unless `status` says otherwise (400: a character that cannot be stored). */
export type CsvImportResult =
  | { ok: true; rows: ParticipantCreateBody[]; notes: string[] }
  | { ok: false; status?: 400; message: string; problems: Problem[] };

const KNOWN_COLUMNS: readonly string[] = [...CSV_COLUMNS, ...CSV_LEGACY_COLUMNS];

const MAX_PROBLEMS = 1000;

/**
 * Reads a participants CSV one record at a time and validates it (pure: no I/O), so a file can be
 * checked while it streams in. Rows are numbered as a spreadsheet shows them: the header is row 1.
 * Every problem is reported, not just the first. `existingEmails` are the (lower-cased) emails
 * already in the event.
 */
export class ParticipantsCsvReader {
  readonly #existingEmails: ReadonlySet<string>;
  #header: string[] | null = null;
  readonly #columnIndex = new Map<CsvColumn, number>();
  readonly #problems: Problem[] = [];
  readonly #rows: ParticipantCreateBody[] = [];
  readonly #seenEmails = new Map<string, number>();
  /** Rows whose `skills` cell was read by role: for a mentee, the skills they want. */
  readonly #legacySkills = { mentor: [] as number[], mentee: [] as number[] };
  /** The reader stopped early (a bad header, too many rows, a cell that cannot be stored): the result is final. */
  #final: CsvImportResult | null = null;
  #records = 0;

  constructor(existingEmails: ReadonlySet<string> = new Set()) {
    this.#existingEmails = existingEmails;
  }

  /** False once the outcome is decided and the rest of the file need not be read. */
  get wantsMore(): boolean {
    return this.#final === null;
  }

  /** One parsed record (the header first); blank records are skipped. */
  add(record: string[]): void {
    if (this.#final || !record.some((cell) => cell.trim() !== '')) return;
    this.#records++;
    const rowNumber = this.#records;
    const unstorable = record.findIndex(hasUnstorableCharacter);
    if (unstorable >= 0) {
      const column = this.#header?.[unstorable] || `#${unstorable + 1}`;
      this.#final = { ok: false, status: 400, message: `Row ${rowNumber}, column ${column} ${UNSTORABLE_MESSAGE}`, problems: [{ row: rowNumber, column, message: UNSTORABLE_MESSAGE }] };
      return;
    }
    if (!this.#header) return this.#readHeader(record);
    if (rowNumber - 1 > MAX_IMPORT_ROWS) {
      this.#final = fail(`Too many rows: at most ${MAX_IMPORT_ROWS} participants per import`, [{ row: MAX_IMPORT_ROWS + 2, message: 'too many rows' }]);
      return;
    }
    this.#readRow(record, rowNumber);
  }

  /** The outcome once the whole file was read (or the reader stopped early). */
  finish(): CsvImportResult {
    if (this.#final) return this.#final;
    if (!this.#header) return fail('The file is empty', [{ row: 1, message: 'expected a header row: ' + CSV_COLUMNS.join(',') }]);
    if (this.#rows.length === 0) return fail('The file has a header but no participants', [{ row: 2, message: 'no data rows' }]);
    const problems = this.#problems;
    if (problems.length) {
      // Within a row, report problems in the file's column order, as the organizer reads it.
      const position = (p: Problem) => (p.column ? (this.#columnIndex.get(p.column as CsvColumn) ?? -1) : -1);
      problems.sort((a, b) => (a.row ?? 0) - (b.row ?? 0) || position(a) - position(b));
      return fail(`${problems.length}${problems.length >= MAX_PROBLEMS ? '+' : ''} problem(s) found; nothing was imported`, problems);
    }
    return { ok: true, rows: this.#rows, notes: this.#notes() };
  }

  /** The old `skills` column means strengths for a mentor but wanted skills for a mentee: say how it was read. */
  #notes(): string[] {
    const { mentor, mentee } = this.#legacySkills;
    if (mentee.length === 0) return [];
    const rows = (list: number[]) => `${list.length === 1 ? 'row' : 'rows'} ${list.slice(0, 10).join(', ')}${list.length > 10 ? ` and ${list.length - 10} more` : ''}`;
    const mentors = mentor.length > 0 ? ` and as what mentors offer on ${rows(mentor)}` : '';
    return [
      `The "skills" column was read as the skills mentees want on ${rows(mentee)}${mentors}. ` +
        'Check that is what those cells mean; the "offers" (mentors) and "wants" (mentees) columns say it without doubt.',
    ];
  }

  #readHeader(record: string[]): void {
    const header = record.map((h) => h.trim().toLowerCase().replace(/[\s-]+/g, '_'));
    const problems: Problem[] = [];
    header.forEach((name, i) => {
      if (!KNOWN_COLUMNS.includes(name)) {
        problems.push({ row: 1, column: name || `#${i + 1}`, message: `unknown column; expected some of ${CSV_COLUMNS.join(', ')}` });
      } else if (this.#columnIndex.has(name as CsvColumn)) {
        problems.push({ row: 1, column: name, message: 'column appears twice' });
      } else {
        this.#columnIndex.set(name as CsvColumn, i);
      }
    });
    for (const required of CSV_REQUIRED_COLUMNS) {
      if (!this.#columnIndex.has(required)) problems.push({ row: 1, column: required, message: 'required column is missing from the header row' });
    }
    if (problems.length) this.#final = fail('The header row is not right', problems);
    this.#header = header;
  }

  #readRow(record: string[], rowNumber: number): void {
    const report = (column: CsvColumn | undefined, message: string): void => {
      if (this.#problems.length < MAX_PROBLEMS) this.#problems.push({ row: rowNumber, ...(column ? { column } : {}), message });
    };
    const columns = this.#header?.length ?? 0;
    if (record.length > columns) report(undefined, `has ${record.length} cells but the header has ${columns} columns`);
    const cell = (column: CsvColumn): string => {
      const i = this.#columnIndex.get(column);
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
    else if (this.#seenEmails.has(emailKey)) report('email', `${email} already appears in row ${this.#seenEmails.get(emailKey)}`);
    else if (this.#existingEmails.has(emailKey)) report('email', `${email} is already a participant of this event`);
    if (email && !this.#seenEmails.has(emailKey)) this.#seenEmails.set(emailKey, rowNumber);

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
    // offers (mentors) and wants (mentees) both fill `skills`; the old skills column is read by role.
    const offers = list('offers');
    const wants = list('wants');
    const legacy = list('skills');
    if (offers && role === 'mentee') report('offers', 'is what a mentor can teach; for a mentee, put the skills they want in "wants"');
    if (wants && role === 'mentor') report('wants', 'is what a mentee wants to learn; for a mentor, put their strengths in "offers"');
    if (legacy && (role === 'mentor' || role === 'mentee')) this.#legacySkills[role].push(rowNumber);
    const skills = [...new Set([...(role === 'mentor' ? (offers ?? []) : (wants ?? [])), ...(legacy ?? [])])];
    if (skills.length > 30) report(role === 'mentor' ? 'offers' : 'wants', `has ${skills.length} items with "skills"; at most 30`);
    if (skills.length > 0) profile.skills = skills;
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

    this.#rows.push({
      role: role as ParticipantCreateBody['role'],
      name,
      email,
      profile,
      ...(capacity !== undefined ? { capacity } : {}),
      ...(constellationSize !== undefined ? { constellationSize } : {}),
    });
  }
}

/** Parses and validates a whole participants CSV held in memory (pure: no I/O). */
export function parseParticipantsCsv(text: string, existingEmails: ReadonlySet<string> = new Set()): CsvImportResult {
  let records: string[][];
  try {
    records = parse(text, CSV_OPTIONS) as string[][];
  } catch (error) {
    return notCsv(error);
  }
  const reader = new ParticipantsCsvReader(existingEmails);
  for (const record of records) {
    if (!reader.wantsMore) break;
    reader.add(record);
  }
  return reader.finish();
}

export class CsvTooLargeError extends Error {
  readonly maxBytes: number;

  constructor(maxBytes: number) {
    super(`The file is larger than ${Math.round(maxBytes / 1024 / 1024)} MB`);
    this.maxBytes = maxBytes;
  }
}

/**
 * Parses and validates a participants CSV as it streams in, a chunk at a time, so a large file
 * never holds up other requests. Stops reading at `maxBytes` (CsvTooLargeError), and as soon as
 * the outcome is decided (too many rows, a bad header).
 */
export async function readParticipantsCsv(stream: AsyncIterable<Buffer | string>, existingEmails: ReadonlySet<string>, maxBytes: number): Promise<CsvImportResult> {
  const reader = new ParticipantsCsvReader(existingEmails);
  const parser = parseStream(CSV_OPTIONS);
  async function* limited(): AsyncGenerator<Buffer | string> {
    let bytes = 0;
    for await (const chunk of stream) {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      bytes += buffer.length;
      if (bytes > maxBytes) throw new CsvTooLargeError(maxBytes);
      // However the body arrives, the parser gets at most 16 KiB at a time, with a turn of the event loop between.
      for (let offset = 0; offset < buffer.length; offset += PARSE_SLICE) {
        if (offset > 0) await new Promise((resolve) => setImmediate(resolve));
        yield buffer.subarray(offset, offset + PARSE_SLICE);
      }
    }
  }
  const feeding = pipeline(limited(), parser);
  feeding.catch(() => {}); // its failure surfaces through the parser below
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      reader.add(record);
      if (!reader.wantsMore) break;
    }
    await feeding;
  } catch (error) {
    if (error instanceof CsvTooLargeError) throw error;
    if (!reader.wantsMore) return reader.finish();
    if (error instanceof CsvError) return notCsv(error);
    throw error;
  } finally {
    parser.destroy();
  }
  return reader.finish();
}

const PARSE_SLICE = 16 * 1024;

const CSV_OPTIONS = { bom: true, skip_empty_lines: true, relax_column_count: true, trim: false } as const;

function notCsv(error: unknown): CsvImportResult {
  const e = error as { message?: string; lines?: number };
  return fail('The file is not valid CSV', [{ row: e.lines, message: String(e.message ?? error) }]);
}

function fail(message: string, problems: Problem[]): CsvImportResult {
  return { ok: false, message, problems };
}
