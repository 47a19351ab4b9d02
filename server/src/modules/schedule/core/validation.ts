/**
 * Shape checks of everything the planner is given, before it reads any of it. The planner runs
 * in a worker behind routes that already validate, but the core is also a library: bad input
 * must end in a PlanInputError that names the culprit, never in a wrong plan or a TypeError.
 * Meaning checks (unknown ids, a mentee seated twice, over-full tables, a co-host outside a
 * co-hosted round…) are in planner.ts, where ids are resolved.
 */
import { PlanInputError, type ReplanInput } from './types.ts';

/** The limits of the Profile schema in shared/src/schemas/participants.ts (checked against it in validation.test.ts). */
const PROFILE_TEXT = { industry: 80, workingStyle: 80, timeZone: 64 } as const;
const TAG_MAX_LENGTH = 80;
const TAGS_MAX_ITEMS = 30;
const YEARS_MAX = 70;
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
  // Plain loops and a switch: this runs for every participant on the planner's cold path.
  const fields = Object.keys(profile);
  for (let f = 0; f < fields.length; f++) {
    const field = fields[f] as string;
    const value = profile[field];
    switch (field) {
      case 'industry':
      case 'workingStyle':
      case 'timeZone':
        checkText(where, field, value, PROFILE_TEXT[field]);
        break;
      case 'skills':
      case 'goals':
      case 'challenges':
        checkTags(where, field, value);
        break;
      case 'yearsExperience':
        if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > YEARS_MAX)) {
          fail(`${where}: profile.yearsExperience must be a whole number from 0 to ${YEARS_MAX}, got ${show(value)}`);
        }
        break;
      default:
        fail(`${where}: profile has an unknown field ${JSON.stringify(field)}`);
    }
  }
}

function checkText(where: string, field: string, value: unknown, max: number): void {
  if (value !== undefined && (typeof value !== 'string' || longerThan(value, max))) {
    fail(`${where}: profile.${field} must be a string of at most ${max} characters, got ${show(value)}`);
  }
}

function checkTags(where: string, field: string, value: unknown): void {
  if (value === undefined) return;
  if (!Array.isArray(value) || value.length > TAGS_MAX_ITEMS) {
    fail(`${where}: profile.${field} must be a list of at most ${TAGS_MAX_ITEMS} tags, got ${show(value)}`);
  }
  for (let k = 0; k < value.length; k++) {
    const tag: unknown = value[k];
    if (typeof tag !== 'string' || tag.length < 1 || longerThan(tag, TAG_MAX_LENGTH)) {
      fail(`${where}: profile.${field}[${k}] must be a tag of 1 to ${TAG_MAX_LENGTH} characters, got ${show(tag)}`);
    }
  }
}

const isId = (value: unknown): value is string => typeof value === 'string' && value !== '';

// Messages are built only on failure: these loops see every participant and every held seat.
function badId(where: string, id: unknown): never {
  fail(`${where} must be a non-empty string, got ${show(id)}`);
}

function checkList(where: string, value: unknown, optional: boolean): value is unknown[] {
  if (value === undefined && optional) return false;
  if (!Array.isArray(value)) fail(`${where} must be a list, got ${show(value)}`);
  return true;
}

function checkPairs(field: 'pinned' | 'forbidden', list: unknown): void {
  if (!checkList(field, list, true)) return;
  for (let k = 0; k < list.length; k++) {
    const ref = list[k];
    if (!isObject(ref)) fail(`${field}[${k}] must be an object { mentorId, menteeId }, got ${show(ref)}`);
    if (!isId(ref.mentorId)) badId(`${field}[${k}].mentorId`, ref.mentorId);
    if (!isId(ref.menteeId)) badId(`${field}[${k}].menteeId`, ref.menteeId);
  }
}

function checkParticipants(role: 'mentor' | 'mentee', list: unknown): void {
  const field = `${role}s`;
  if (!checkList(field, list, false)) return;
  for (let k = 0; k < list.length; k++) {
    const p = list[k];
    if (!isObject(p)) fail(`${field}[${k}] must be an object { id, profile }, got ${show(p)}`);
    const id = p.id;
    if (!isId(id)) badId(`${field}[${k}].id`, id);
    if (p.profile !== undefined) checkProfile(`${role} ${id}`, p.profile);
    const size = p.tableSize;
    if (role === 'mentor' && size !== undefined && (typeof size !== 'number' || !Number.isInteger(size) || size < 1)) {
      fail(`mentor ${id}: tableSize must be a positive integer, got ${show(size)}`);
    }
  }
}

function checkHeldRound(round: unknown, r: number): void {
  const where = `held round ${r + 1}`;
  if (!isObject(round)) fail(`${where} must be an object { tables }, got ${show(round)}`);
  const tables = round.tables;
  if (!checkList(`${where}: tables`, tables, false)) return;
  for (let t = 0; t < tables.length; t++) {
    const table = tables[t];
    if (!isObject(table)) fail(`${where}: tables[${t}] must be an object { mentorId, menteeIds }, got ${show(table)}`);
    if (!isId(table.mentorId)) badId(`${where}: tables[${t}].mentorId`, table.mentorId);
    if (table.coMentorId !== undefined && !isId(table.coMentorId)) badId(`${where}: tables[${t}].coMentorId`, table.coMentorId);
    const menteeIds = table.menteeIds;
    if (!checkList(`${where}: tables[${t}].menteeIds`, menteeIds, false)) continue;
    for (let s = 0; s < menteeIds.length; s++) {
      if (!isId(menteeIds[s])) badId(`${where}: tables[${t}].menteeIds[${s}]`, menteeIds[s]);
    }
  }
  const sitOuts = round.sitOuts;
  if (!checkList(`${where}: sitOuts`, sitOuts, true)) return;
  for (let k = 0; k < sitOuts.length; k++) {
    const s = sitOuts[k];
    const at = `${where}: sitOuts[${k}]`;
    if (!isObject(s)) fail(`${at} must be an object { participantId, role, code, reason }, got ${show(s)}`);
    if (!isId(s.participantId)) badId(`${at}.participantId`, s.participantId);
    if (s.role !== 'mentor' && s.role !== 'mentee') fail(`${at}.role must be "mentor" or "mentee", got ${show(s.role)}`);
    if (typeof s.code !== 'string' || !SIT_OUT_CODES.has(s.code)) fail(`${at}.code is not a sit-out code, got ${show(s.code)}`);
    if (typeof s.reason !== 'string') fail(`${at}.reason must be a string, got ${show(s.reason)}`);
  }
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
  if (checkList('formats', raw.formats, true)) {
    if (raw.formats.length !== raw.rounds) fail(`formats must give one format per round (${raw.rounds}), got ${raw.formats.length}`);
    raw.formats.forEach((format, r) => {
      if (isObject(format) && format.kind === 'pairs') {
        if (format.hosts !== undefined) fail(`formats[${r}]: hosts is only for circles, got a one-to-one round with hosts ${show(format.hosts)}`);
        return;
      }
      if (!isObject(format) || format.kind !== 'circle') fail(`formats[${r}] must be { kind: "pairs" } or { kind: "circle", size, hosts? }, got ${show(format)}`);
      const size = format.size;
      if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > 50) {
        fail(`formats[${r}]: circle size must be an integer from 1 to 50, got ${show(size)}`);
      }
      if (format.hosts !== undefined && format.hosts !== 1 && format.hosts !== 2) fail(`formats[${r}]: hosts must be 1 or 2, got ${show(format.hosts)}`);
    });
  }
  checkParticipants('mentor', raw.mentors);
  checkParticipants('mentee', raw.mentees);
  checkPairs('pinned', raw.pinned);
  checkPairs('forbidden', raw.forbidden);
  if (checkList('absentIds', raw.absentIds, true)) {
    for (let k = 0; k < raw.absentIds.length; k++) if (!isId(raw.absentIds[k])) badId(`absentIds[${k}]`, raw.absentIds[k]);
  }
  if (!checkList('heldRounds', raw.heldRounds, false)) return;
  for (let r = 0; r < raw.heldRounds.length; r++) checkHeldRound(raw.heldRounds[r], r);
}
