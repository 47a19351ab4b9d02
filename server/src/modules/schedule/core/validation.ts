/**
 * Shape checks of everything the planner is given, before it reads any of it. The planner runs
 * in a worker behind routes that already validate, but the core is also a library: bad input
 * must end in a PlanInputError that names the culprit, never in a wrong plan or a TypeError.
 * Meaning checks (unknown ids, a mentee seated twice, over-full tables…) are in planner.ts,
 * where ids are resolved.
 */
import { PlanInputError, type ReplanInput } from './types.ts';

/** The limits of the Profile schema in shared/src/schemas/participants.ts (checked against it in validation.test.ts). */
const PROFILE_TEXT = { industry: 80, workingStyle: 80, timeZone: 64 } as const;
const PROFILE_TAGS = ['skills', 'goals', 'challenges'] as const;
const TAG_MAX_LENGTH = 80;
const TAGS_MAX_ITEMS = 30;
const YEARS_MAX = 70;
const PROFILE_FIELDS = new Set<string>([...Object.keys(PROFILE_TEXT), ...PROFILE_TAGS, 'yearsExperience']);
const SIT_OUT_CODES = new Set(['more-mentees-than-tables', 'more-tables-than-mentees', 'met-everyone-available', 'balancing', 'absent']);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Lengths count code points, as the schema's maxLength does. */
function longerThan(value: string, max: number): boolean {
  if (value.length <= max) return false;
  let points = 0;
  for (const _ of value) if (++points > max) return true;
  return false;
}

/** A short rendering of a bad value for a message. */
function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

function fail(message: string): never {
  throw new PlanInputError(message);
}

/** `where`: who the profile belongs to, for the message ("mentor m1"). Accepts undefined (no profile). */
export function checkProfile(where: string, profile: unknown): void {
  if (profile === undefined) return;
  if (!isObject(profile)) fail(`${where}: profile must be an object, got ${show(profile)}`);
  for (const [field, value] of Object.entries(profile)) {
    if (!PROFILE_FIELDS.has(field)) fail(`${where}: profile has an unknown field ${JSON.stringify(field)}`);
    if (value === undefined) continue;
    if (field in PROFILE_TEXT) {
      const max = PROFILE_TEXT[field as keyof typeof PROFILE_TEXT];
      if (typeof value !== 'string' || longerThan(value, max)) {
        fail(`${where}: profile.${field} must be a string of at most ${max} characters, got ${show(value)}`);
      }
    } else if (field === 'yearsExperience') {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > YEARS_MAX) {
        fail(`${where}: profile.yearsExperience must be a whole number from 0 to ${YEARS_MAX}, got ${show(value)}`);
      }
    } else {
      if (!Array.isArray(value) || value.length > TAGS_MAX_ITEMS) {
        fail(`${where}: profile.${field} must be a list of at most ${TAGS_MAX_ITEMS} tags, got ${show(value)}`);
      }
      value.forEach((tag: unknown, k) => {
        if (typeof tag !== 'string' || tag.length < 1 || longerThan(tag, TAG_MAX_LENGTH)) {
          fail(`${where}: profile.${field}[${k}] must be a tag of 1 to ${TAG_MAX_LENGTH} characters, got ${show(tag)}`);
        }
      });
    }
  }
}

function checkId(where: string, id: unknown): void {
  if (typeof id !== 'string' || id === '') fail(`${where} must be a non-empty string, got ${show(id)}`);
}

function checkList(where: string, value: unknown, optional: boolean): value is unknown[] {
  if (value === undefined && optional) return false;
  if (!Array.isArray(value)) fail(`${where} must be a list, got ${show(value)}`);
  return true;
}

function checkPairs(field: 'pinned' | 'forbidden', list: unknown): void {
  if (!checkList(field, list, true)) return;
  list.forEach((ref, k) => {
    if (!isObject(ref)) fail(`${field}[${k}] must be an object { mentorId, menteeId }, got ${show(ref)}`);
    checkId(`${field}[${k}].mentorId`, ref.mentorId);
    checkId(`${field}[${k}].menteeId`, ref.menteeId);
  });
}

/** Throws a PlanInputError naming the first field of `input` that does not have the documented shape. */
export function checkInputShape(input: ReplanInput): void {
  if (!isObject(input)) fail(`the input must be an object, got ${show(input)}`);
  const raw = input as unknown as Record<string, unknown>;
  if (typeof raw.rounds !== 'number' || !Number.isInteger(raw.rounds) || raw.rounds < 1 || raw.rounds > 1000) {
    fail(`rounds must be an integer from 1 to 1000, got ${show(raw.rounds)}`);
  }
  if (raw.seed !== undefined && (typeof raw.seed !== 'number' || !Number.isInteger(raw.seed))) {
    fail(`seed must be an integer, got ${show(raw.seed)}`);
  }
  if (raw.allowSharedTables !== undefined && typeof raw.allowSharedTables !== 'boolean') {
    fail(`allowSharedTables must be true or false, got ${show(raw.allowSharedTables)}`);
  }
  if (raw.scoringInstant !== undefined && (typeof raw.scoringInstant !== 'string' || Number.isNaN(Date.parse(raw.scoringInstant)))) {
    fail(`scoringInstant must be an ISO date-time, got ${show(raw.scoringInstant)}`);
  }
  for (const role of ['mentor', 'mentee'] as const) {
    const field = `${role}s` as const;
    const list = raw[field];
    if (!checkList(field, list, false)) continue;
    list.forEach((p, k) => {
      if (!isObject(p)) fail(`${field}[${k}] must be an object { id, profile }, got ${show(p)}`);
      checkId(`${field}[${k}].id`, p.id);
      checkProfile(`${role} ${p.id as string}`, p.profile);
      if (role === 'mentor' && p.tableSize !== undefined) {
        const size = p.tableSize;
        if (typeof size !== 'number' || !Number.isInteger(size) || size < 1) {
          fail(`mentor ${p.id as string}: tableSize must be a positive integer, got ${show(size)}`);
        }
      }
    });
  }
  checkPairs('pinned', raw.pinned);
  checkPairs('forbidden', raw.forbidden);
  if (checkList('absentIds', raw.absentIds, true)) raw.absentIds.forEach((id, k) => checkId(`absentIds[${k}]`, id));
  if (!checkList('heldRounds', raw.heldRounds, false)) return;
  raw.heldRounds.forEach((round, r) => {
    const where = `held round ${r + 1}`;
    if (!isObject(round)) fail(`${where} must be an object { tables }, got ${show(round)}`);
    if (checkList(`${where}: tables`, round.tables, false)) {
      round.tables.forEach((table, t) => {
        if (!isObject(table)) fail(`${where}: tables[${t}] must be an object { mentorId, menteeIds }, got ${show(table)}`);
        checkId(`${where}: tables[${t}].mentorId`, table.mentorId);
        if (checkList(`${where}: tables[${t}].menteeIds`, table.menteeIds, false)) {
          table.menteeIds.forEach((id, s) => checkId(`${where}: tables[${t}].menteeIds[${s}]`, id));
        }
      });
    }
    if (checkList(`${where}: sitOuts`, round.sitOuts, true)) {
      round.sitOuts.forEach((s, k) => {
        const at = `${where}: sitOuts[${k}]`;
        if (!isObject(s)) fail(`${at} must be an object { participantId, role, code, reason }, got ${show(s)}`);
        checkId(`${at}.participantId`, s.participantId);
        if (s.role !== 'mentor' && s.role !== 'mentee') fail(`${at}.role must be "mentor" or "mentee", got ${show(s.role)}`);
        if (typeof s.code !== 'string' || !SIT_OUT_CODES.has(s.code)) fail(`${at}.code is not a sit-out code, got ${show(s.code)}`);
        if (typeof s.reason !== 'string') fail(`${at}.reason must be a string, got ${show(s.reason)}`);
      });
    }
  });
}
