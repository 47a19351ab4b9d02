import type { Queryable } from '../../plugins/db.ts';
import type { Organizer } from '@constellation/shared/schemas/auth';

export async function insertOrganizer(db: Queryable, input: { email: string; name: string; passwordHash: string }): Promise<Organizer | null> {
  const { rows } = await db.query<Organizer>(
    `INSERT INTO organizers (email, name, password_hash) VALUES ($1, $2, $3)
     ON CONFLICT (email) DO NOTHING
     RETURNING id, email::text, name`,
    [input.email, input.name, input.passwordHash],
  );
  return rows[0] ?? null;
}

export async function findOrganizerByEmail(db: Queryable, email: string): Promise<(Organizer & { passwordHash: string }) | null> {
  const { rows } = await db.query<Organizer & { passwordHash: string }>(
    `SELECT id, email::text, name, password_hash AS "passwordHash" FROM organizers WHERE email = $1`,
    [email],
  );
  return rows[0] ?? null;
}
