import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, signUpOrganizer, type TestApp } from '../helpers/app.ts';
import { makeCsv, makeEvent } from '../factories/index.ts';

let t: TestApp;
let cookie: string;
beforeAll(async () => {
  t = await buildTestApp();
  cookie = (await signUpOrganizer(t.app)).cookie;
});
afterAll(() => t.close());

async function newEvent(): Promise<string> {
  return (await t.app.inject({ method: 'POST', url: '/api/events', headers: { cookie }, payload: makeEvent() })).json().id;
}
const importCsv = (eventId: string, csv: string | Buffer) =>
  t.app.inject({ method: 'POST', url: `/api/events/${eventId}/participants/import`, headers: { cookie, 'content-type': 'text/csv' }, payload: csv });
const count = async (eventId: string) => (await t.pool.query('SELECT count(*)::int AS n FROM participants WHERE event_id = $1', [eventId])).rows[0].n as number;

describe('CSV import', () => {
  it('imports a good file in one go, with lists split on ";"', async () => {
    const eventId = await newEvent();
    const csv = 'role,name,email,industry,skills,years_experience,goals,time_zone,capacity\n' + 'mentor,Marta Ruiz,marta@example.com,fintech,people management;python,12,,Europe/Madrid,3\n' + 'Mentee,Tom Li,tom@example.com,fintech,python,2,grow into management;speaking,America/New_York,\n';
    const response = await importCsv(eventId, csv);
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ imported: 2 });
    const list = (await t.app.inject({ method: 'GET', url: `/api/events/${eventId}/participants`, headers: { cookie } })).json().participants;
    const marta = list.find((p: { email: string }) => p.email === 'marta@example.com');
    expect(marta).toMatchObject({ role: 'mentor', capacity: 3, profile: { industry: 'fintech', skills: ['people management', 'python'], yearsExperience: 12, timeZone: 'Europe/Madrid' } });
    const tom = list.find((p: { email: string }) => p.email === 'tom@example.com');
    expect(tom).toMatchObject({ role: 'mentee', capacity: 1, profile: { goals: ['grow into management', 'speaking'] } });
    // everyone imported has an invite link
    const invites = (await t.app.inject({ method: 'GET', url: `/api/events/${eventId}/invites`, headers: { cookie } })).json().invites;
    expect(invites).toHaveLength(2);
  });

  it('reads what a mentor offers and what a mentee wants from their own columns, with no note', async () => {
    const eventId = await newEvent();
    const csv =
      'role,name,email,offers,wants,goals\n' +
      'mentor,Marta Ruiz,marta@example.com,people management;python,,\n' +
      'mentee,Tom Li,tom@example.com,,python;public speaking,grow into management\n';
    const response = await importCsv(eventId, csv);
    expect(response.statusCode).toBe(201);
    expect(response.json()).toEqual({ imported: 2, notes: [] });
    const list = (await t.app.inject({ method: 'GET', url: `/api/events/${eventId}/participants`, headers: { cookie } })).json().participants;
    expect(list.find((p: { email: string }) => p.email === 'marta@example.com').profile.skills).toEqual(['people management', 'python']);
    expect(list.find((p: { email: string }) => p.email === 'tom@example.com').profile).toEqual({ skills: ['python', 'public speaking'], goals: ['grow into management'] });
  });

  it('still reads the old skills column, with a note naming the mentee rows it read as wanted skills', async () => {
    const eventId = await newEvent();
    const csv =
      'role,name,email,skills\n' +
      'mentor,Marta Ruiz,marta@example.com,people management\n' +
      'mentee,Tom Li,tom@example.com,python\n' +
      'mentee,Ana Silva,ana@example.com,sql;hiring\n';
    const response = await importCsv(eventId, csv);
    expect(response.statusCode).toBe(201);
    const { imported, notes } = response.json();
    expect(imported).toBe(3);
    expect(notes).toEqual([
      'The "skills" column was read as the skills mentees want on rows 3, 4 and as what mentors offer on row 2. ' +
        'Check that is what those cells mean; the "offers" (mentors) and "wants" (mentees) columns say it without doubt.',
    ]);
    const list = (await t.app.inject({ method: 'GET', url: `/api/events/${eventId}/participants`, headers: { cookie } })).json().participants;
    expect(list.find((p: { email: string }) => p.email === 'ana@example.com').profile.skills).toEqual(['sql', 'hiring']);
    // Mentor rows alone are not ambiguous: no note.
    const mentors = await importCsv(await newEvent(), 'role,name,email,skills\nmentor,Marta Ruiz,marta@example.com,python\n');
    expect(mentors.json()).toEqual({ imported: 1, notes: [] });
  });

  it('refuses offers on a mentee row and wants on a mentor row, naming the row and the column to use', async () => {
    const eventId = await newEvent();
    const csv = 'role,name,email,offers,wants\n' + 'mentee,Tom Li,tom@example.com,python,\n' + 'mentor,Marta Ruiz,marta@example.com,,sql\n';
    const response = await importCsv(eventId, csv);
    expect(response.statusCode).toBe(422);
    expect(response.json().problems).toEqual([
      { row: 2, column: 'offers', message: 'is what a mentor can teach; for a mentee, put the skills they want in "wants"' },
      { row: 3, column: 'wants', message: 'is what a mentee wants to learn; for a mentor, put their strengths in "offers"' },
    ]);
    expect(await count(eventId)).toBe(0);
  });

  it('accepts a UTF-8 BOM and quoted fields holding commas, quotes and newlines', async () => {
    const eventId = await newEvent();
    const csv = '\uFEFFrole,name,email,goals\r\nmentee,"Doe, Jane ""JJ""",jane@example.com,"line one\nline two;second goal"\r\n';
    const response = await importCsv(eventId, Buffer.from(csv, 'utf8'));
    expect(response.statusCode).toBe(201);
    const [p] = (await t.app.inject({ method: 'GET', url: `/api/events/${eventId}/participants`, headers: { cookie } })).json().participants;
    expect(p.name).toBe('Doe, Jane "JJ"');
    expect(p.profile.goals).toEqual(['line one\nline two', 'second goal']);
  });

  it('refuses an empty file', async () => {
    const eventId = await newEvent();
    const response = await importCsv(eventId, '');
    expect(response.statusCode).toBe(422);
    expect(response.json().message).toMatch(/empty/);
    const blank = await importCsv(eventId, '\n\n  \n');
    expect(blank.statusCode).toBe(422);
  });

  it('refuses a file without a header row, naming the missing columns', async () => {
    const eventId = await newEvent();
    const response = await importCsv(eventId, 'mentor,Marta,marta@example.com\n');
    expect(response.statusCode).toBe(422);
    const problems = response.json().problems;
    expect(problems).toEqual(expect.arrayContaining([expect.objectContaining({ row: 1, column: 'role', message: expect.stringMatching(/required column/) })]));
    expect(await count(eventId)).toBe(0);
  });

  it('refuses an unknown column', async () => {
    const eventId = await newEvent();
    const response = await importCsv(eventId, 'role,name,email,shoe_size\nmentee,A,a@example.com,42\n');
    expect(response.statusCode).toBe(422);
    expect(response.json().problems).toEqual([expect.objectContaining({ row: 1, column: 'shoe_size', message: expect.stringMatching(/unknown column/) })]);
  });

  it('lists every bad row by row number and column, and imports nothing', async () => {
    const eventId = await newEvent();
    const csv = [
      'role,name,email,years_experience,capacity,time_zone',
      'mentor,Good One,good@example.com,10,2,Europe/Berlin',
      'boss,Bad Role,badrole@example.com,,,',
      'mentee,,noname@example.com,,,',
      'mentee,Bad Email,not-an-email,,,',
      'mentor,Bad Numbers,nums@example.com,-3,9,Mars/Base',
      'mentee,Dup,GOOD@example.com,,,',
    ].join('\n');
    const response = await importCsv(eventId, csv);
    expect(response.statusCode).toBe(422);
    const problems = response.json().problems.map((p: { row: number; column?: string }) => `${p.row}:${p.column}`);
    expect(problems).toEqual(['3:role', '4:name', '5:email', '6:years_experience', '6:capacity', '6:time_zone', '7:email']);
    expect(response.json().problems.at(-1).message).toMatch(/row 2/);
    expect(await count(eventId)).toBe(0);
  });

  it('refuses emails that already belong to participants of the event', async () => {
    const eventId = await newEvent();
    expect((await importCsv(eventId, 'role,name,email\nmentor,First,first@example.com\n')).statusCode).toBe(201);
    const again = await importCsv(eventId, 'role,name,email\nmentee,Second,second@example.com\nmentee,First Again,First@Example.com\n');
    expect(again.statusCode).toBe(422);
    expect(again.json().problems).toEqual([expect.objectContaining({ row: 3, column: 'email', message: expect.stringMatching(/already a participant/) })]);
    expect(await count(eventId)).toBe(1);
  });

  it('imports 5,000 rows in one transaction', async () => {
    const eventId = await newEvent();
    const response = await importCsv(eventId, makeCsv(5000));
    expect(response.statusCode).toBe(201);
    expect(response.json().imported).toBe(5000);
    expect(await count(eventId)).toBe(5000);
    const invites = await t.pool.query('SELECT count(*)::int AS n FROM invitations WHERE event_id = $1 AND revoked_at IS NULL', [eventId]);
    expect(invites.rows[0].n).toBe(5000);
  });

  it('rolls back all 5,000 rows when the last one is bad', async () => {
    const eventId = await newEvent();
    const csv = makeCsv(5000) + 'mentee,Last,broken-email\n';
    const response = await importCsv(eventId, csv);
    expect(response.statusCode).toBe(422);
    expect(response.json().problems).toEqual([expect.objectContaining({ row: 5002, column: 'email' })]);
    expect(await count(eventId)).toBe(0);
  });

  it('answers 415 for a body that is not CSV and 404 for an event that is not yours', async () => {
    const eventId = await newEvent();
    const json = await t.app.inject({ method: 'POST', url: `/api/events/${eventId}/participants/import`, headers: { cookie }, payload: { csv: 'x' } });
    expect(json.statusCode).toBe(415);
    const other = await signUpOrganizer(t.app);
    const foreign = await t.app.inject({ method: 'POST', url: `/api/events/${eventId}/participants/import`, headers: { cookie: other.cookie, 'content-type': 'text/csv' }, payload: 'role,name,email\nmentee,A,a@example.com\n' });
    expect(foreign.statusCode).toBe(404);
    expect(await count(eventId)).toBe(0);
  });
});
