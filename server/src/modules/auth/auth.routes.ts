import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import {
  Organizer,
  OrganizerInvite,
  SignInBody,
  SignUpBody,
  SignUpConfirmBody,
  SignUpPending,
  SignupRequestParams,
  SignupRequests,
} from '@constellation/shared/schemas/auth';
import { ErrorBody } from '@constellation/shared/schemas/common';
import { hashPassword, organizerInviteToken, organizerInviteUrl, sameToken, signupToken, verifyPassword } from '../../lib/crypto.ts';
import { HttpError, conflict, forbidden, notFound, unauthorized } from '../../lib/http-errors.ts';
import { inTransaction, type Queryable } from '../../plugins/db.ts';
import { subjectOf } from '../mail/core/templates.ts';
import { ORGANIZER_COOKIE, ORGANIZER_SESSION_TTL } from '../../plugins/auth.ts';
import {
  declineSignup,
  findOrganizerByEmail,
  insertOrganizer,
  insertOrganizerInvite,
  insertOwner,
  insertSignup,
  lockLiveInvite,
  pendingSignups,
  redeemSignup,
  signupMessages,
  useInvite,
} from './organizers.repository.ts';
import { createSession, deleteSession } from './sessions.repository.ts';

// Compared against when the email is unknown, so a sign-in takes as long either way.
const DUMMY_HASH = await hashPassword('constellation-timing-equaliser');

export interface AuthRoutesOptions {
  signInRateLimit: { max: number; timeWindow: number };
  /** Derives the sign-up confirmation and organizer invitation tokens. */
  secret: string;
  /** Base of the organizer invitation links. */
  publicUrl: string;
}

/** How long an emailed confirmation link works; without email, how long a request waits for the owner. */
const SIGNUP_TTL_MS = 24 * 3600 * 1000;
const APPROVAL_TTL_MS = 30 * 24 * 3600 * 1000;
const INVITE_TTL_MS = 7 * 24 * 3600 * 1000;
const LIST_LIMIT = 200;
const CHECK_EMAIL = 'Check your email: we sent you a link to finish signing up (or to sign in, if you already have an account).';
const AWAITING_APPROVAL =
  "Thanks. This instance sends no email, so its owner approves new accounts: once they have, sign in with this email and password. If you already have an account, sign in with it.";
const BAD_LINK = 'This confirmation link is not valid or has expired: sign up again to get a new one';
const BAD_INVITE = 'This invitation link is not valid, has expired or was used already: ask for a new one, or sign up without it';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The id inside a token `<id>.<hmac>` whose hmac the secret derives, or null. */
function tokenId(token: string, derive: (id: string) => string): string | null {
  const [id = '', mac = ''] = token.split('.');
  return UUID.test(id) && sameToken(derive(id), mac) ? id : null;
}

const authRoutes: FastifyPluginAsyncTypebox<AuthRoutesOptions> = async (app, { signInRateLimit, secret, publicUrl }) => {
  /** preHandler: the signed-in organizer must be the instance's owner. */
  async function requireOwner(request: FastifyRequest): Promise<void> {
    await app.requireOrganizer(request);
    if (!request.organizer!.owner) throw forbidden("Only the instance's owner (its first organizer) approves accounts");
  }

  /** A sign-up the instance takes at once: its first organizer, or a new address with a colleague's invitation. */
  async function createAtOnce(client: Queryable, account: { email: string; name: string; passwordHash: string }, inviteId: string | null): Promise<Organizer | null> {
    if (!inviteId) return insertOwner(client, account);
    if (!(await lockLiveInvite(client, inviteId, app.mail.now()))) throw new HttpError(400, BAD_INVITE);
    const organizer = await insertOrganizer(client, account);
    if (organizer) await useInvite(client, inviteId, organizer.id, app.mail.now());
    return organizer;
  }

  app.post(
    '/signup',
    {
      config: { rateLimit: signInRateLimit },
      schema: {
        tags: ['auth'],
        summary: 'Create an organizer account: at once, or after a confirmation by email or by the owner',
        description:
          "The instance's first organizer (its owner), and a new address with a colleague's invitation (`invite`), are created at once " +
          'and signed in (201). Every other sign-up answers 202 with the same body whether or not the address has an account, so the ' +
          'answer reveals nothing: with SMTP_URL the address gets a confirmation link (or a note to sign in instead); without, the same ' +
          "message is held in the instance's outbox and the owner approves or declines the request (GET /api/auth/signup-requests).",
        body: SignUpBody,
        response: { 201: Organizer, 202: SignUpPending, 400: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const { email, password, invite } = request.body;
      const name = request.body.name.trim() || request.body.name;
      const inviteId = invite === undefined ? null : tokenId(invite, (id) => organizerInviteToken(secret, id));
      if (invite !== undefined && !inviteId) throw new HttpError(400, BAD_INVITE);
      // Hashed whatever happens next: every branch does the same slow work.
      const passwordHash = await hashPassword(password);
      const account = { email, name, passwordHash };
      const organizer = await inTransaction(app.pg, (client) => createAtOnce(client, account, inviteId));
      if (organizer) {
        const token = await createSession(app.pg, { organizerId: organizer.id }, ORGANIZER_SESSION_TTL);
        app.setSessionCookie(reply, ORGANIZER_COOKIE, token, ORGANIZER_SESSION_TTL);
        return reply.status(201).send(organizer);
      }
      // Same work, same answer, whoever owns the address: only its mailbox (or the owner's outbox) learns which it was.
      const known = await findOrganizerByEmail(app.pg, email);
      const ttl = app.mail.configured ? SIGNUP_TTL_MS : APPROVAL_TTL_MS;
      await inTransaction(app.pg, async (client) => {
        const signupId = known ? undefined : await insertSignup(client, { ...account, expiresAt: new Date(app.mail.now().getTime() + ttl) });
        const kind = known ? ('signup-exists' as const) : ('signup-confirm' as const);
        await app.mail.enqueue(client, [{ eventId: null, participantId: null, signupId, recipient: email, kind, subject: subjectOf(kind, { name }), payload: { name } }]);
      });
      app.mail.kick();
      const answer = app.mail.configured ? { status: 'check-email' as const, message: CHECK_EMAIL } : { status: 'awaiting-approval' as const, message: AWAITING_APPROVAL };
      return reply.status(202).send(answer);
    },
  );

  /** Creates the account of a pending sign-up (its link, or the owner's approval): null when it is no longer pending. */
  async function activate(signupId: string): Promise<Organizer | null> {
    return inTransaction(app.pg, async (client) => {
      const signup = await redeemSignup(client, signupId, app.mail.now());
      if (!signup) return null;
      const created = await insertOrganizer(client, signup);
      if (!created) throw conflict('An account with this email already exists; sign in instead');
      return created;
    });
  }

  app.post(
    '/signup/confirm',
    {
      config: { rateLimit: signInRateLimit },
      schema: {
        tags: ['auth'],
        summary: 'Finish a sign-up from its emailed link: creates the account and signs in',
        body: SignUpConfirmBody,
        response: { 201: Organizer, 400: ErrorBody, 409: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const id = tokenId(request.body.token, (signupId) => signupToken(secret, signupId));
      const organizer = id ? await activate(id) : null;
      if (!organizer) throw new HttpError(400, BAD_LINK);
      const session = await createSession(app.pg, { organizerId: organizer.id }, ORGANIZER_SESSION_TTL);
      app.setSessionCookie(reply, ORGANIZER_COOKIE, session, ORGANIZER_SESSION_TTL);
      return reply.status(201).send(organizer);
    },
  );

  app.get(
    '/signup-requests',
    {
      preHandler: requireOwner,
      schema: {
        tags: ['auth'],
        summary: "The owner's view: pending sign-ups and the instance's sign-up mail",
        response: { 200: SignupRequests, 401: ErrorBody, 403: ErrorBody },
      },
    },
    async () => {
      const [requests, messages] = await Promise.all([pendingSignups(app.pg, app.mail.now(), LIST_LIMIT), signupMessages(app.pg, LIST_LIMIT)]);
      return {
        smtpConfigured: app.mail.configured,
        requests,
        messages: messages.map((m) => ({
          id: m.id,
          kind: m.kind,
          recipient: m.recipient,
          subject: m.subject,
          status: m.status,
          createdAt: m.createdAt.toISOString(),
          text: app.mail.render({ ...m, invitationId: null }).text,
        })),
      };
    },
  );

  app.post(
    '/signup-requests/:requestId/approve',
    {
      preHandler: requireOwner,
      schema: {
        tags: ['auth'],
        summary: 'Approve a pending sign-up: creates the account, as its emailed link would',
        params: SignupRequestParams,
        response: { 200: Organizer, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => {
      const organizer = await activate(request.params.requestId);
      if (!organizer) throw notFound('Pending sign-up');
      return organizer;
    },
  );

  app.post(
    '/signup-requests/:requestId/decline',
    {
      preHandler: requireOwner,
      schema: {
        tags: ['auth'],
        summary: 'Decline a pending sign-up: no account is created, its link stops working',
        params: SignupRequestParams,
        response: { 204: Type.Null(), 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      if (!(await declineSignup(app.pg, request.params.requestId, app.mail.now()))) throw notFound('Pending sign-up');
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/organizer-invites',
    {
      preHandler: app.requireOrganizer,
      schema: {
        tags: ['auth'],
        summary: 'A single-use link (7 days) that lets a colleague become an organizer at once, without approval',
        response: { 201: OrganizerInvite, 401: ErrorBody },
      },
    },
    async (request, reply) => {
      const expiresAt = new Date(app.mail.now().getTime() + INVITE_TTL_MS);
      const id = await insertOrganizerInvite(app.pg, request.organizer!.id, expiresAt);
      return reply.status(201).send({ url: organizerInviteUrl(publicUrl, secret, id), expiresAt: expiresAt.toISOString() });
    },
  );

  app.post(
    '/signin',
    {
      config: { rateLimit: signInRateLimit },
      schema: {
        tags: ['auth'],
        summary: 'Sign in as an organizer',
        body: SignInBody,
        response: { 200: Organizer, 400: ErrorBody, 401: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const { email, password } = request.body;
      const found = await findOrganizerByEmail(app.pg, email);
      const ok = await verifyPassword(password, found?.passwordHash ?? DUMMY_HASH);
      if (!found || !ok) throw unauthorized('Wrong email or password');
      const token = await createSession(app.pg, { organizerId: found.id }, ORGANIZER_SESSION_TTL);
      app.setSessionCookie(reply, ORGANIZER_COOKIE, token, ORGANIZER_SESSION_TTL);
      return { id: found.id, email: found.email, name: found.name, owner: found.owner };
    },
  );

  app.post(
    '/signout',
    { schema: { tags: ['auth'], summary: 'End the organizer session', response: { 204: Type.Null() } } },
    async (request, reply) => {
      const token = request.cookies[ORGANIZER_COOKIE];
      if (token) {
        await deleteSession(app.pg, token);
        app.revokeSockets({ sessionToken: token });
      }
      reply.clearCookie(ORGANIZER_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/me',
    {
      preHandler: app.requireOrganizer,
      schema: { tags: ['auth'], summary: 'The signed-in organizer', response: { 200: Organizer, 401: ErrorBody } },
    },
    async (request) => request.organizer!,
  );
};

export default authRoutes;
