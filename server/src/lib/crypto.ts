import { createHash, createHmac, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** scrypt with 64 MiB of memory per hash: memory-hard, about 100 ms on a laptop core. */
const SCRYPT = { N: 2 ** 16, r: 8, p: 1, keylen: 32 } as const;

function scryptAsync(password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, keylen, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const { N, r, p, keylen } = SCRYPT;
  const key = await scryptAsync(password, salt, keylen, { N, r, p, maxmem: 256 * N * r });
  return ['scrypt', N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, expected] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !expected) return false;
  const expectedKey = Buffer.from(expected, 'base64url');
  const N = Number(n);
  const key = await scryptAsync(password, Buffer.from(salt, 'base64url'), expectedKey.length, {
    N,
    r: Number(r),
    p: Number(p),
    maxmem: 256 * N * Number(r),
  });
  return timingSafeEqual(key, expectedKey);
}

/** A fresh 256-bit bearer token, URL-safe. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

export function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** The invite token is derived from the invitation's id and the server secret, so only its hash is stored. */
export function inviteToken(secret: string, invitationId: string): string {
  return createHmac('sha256', secret).update(`invite:${invitationId}`).digest('base64url');
}

/** A participant's personal join link: the token travels in the fragment, so it never reaches a server log. */
export function inviteUrl(publicUrl: string, secret: string, invitationId: string): string {
  return `${publicUrl}/join#${inviteToken(secret, invitationId)}`;
}

/** The token that confirms a pending organizer sign-up: derived, like invite tokens, so only the sign-up's id is stored. */
export function signupToken(secret: string, signupId: string): string {
  return createHmac('sha256', secret).update(`signup:${signupId}`).digest('base64url');
}

export function signupUrl(publicUrl: string, secret: string, signupId: string): string {
  return `${publicUrl}/signup/confirm#${signupId}.${signupToken(secret, signupId)}`;
}

/** An organizer's invitation for a colleague: derived like the others, so only the invitation's id is stored. */
export function organizerInviteToken(secret: string, inviteId: string): string {
  return createHmac('sha256', secret).update(`organizer-invite:${inviteId}`).digest('base64url');
}

/** The sign-up page with the invitation in the fragment (never in a server log). */
export function organizerInviteUrl(publicUrl: string, secret: string, inviteId: string): string {
  return `${publicUrl}/signup#invite=${inviteId}.${organizerInviteToken(secret, inviteId)}`;
}

/** Compares two tokens in constant time. */
export function sameToken(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
