import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { TokenVerifier } from 'livekit-server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LiveKitVideoProvider } from '../../server/src/modules/video/livekit.provider.ts';
import { roomNameFor } from '../../server/src/modules/video/room-name.ts';
import { videoRoutes } from '../../server/src/modules/video/video.routes.ts';
import {
  createWebhookVerifier,
  WebhookVerificationError,
  type PresenceChange,
  type WebhookVerifier,
} from '../../server/src/modules/video/webhook.ts';
import {
  eventually,
  joinSignalOnly,
  liveKitAvailability,
  startLiveKit,
  startWebhookCapture,
  type LiveKitServer,
  validateJoin,
  type WebhookCapture,
} from '../helpers/livekit.ts';

const livekit = liveKitAvailability();

/** One table of one round of a fresh event, so tests never share rooms. */
function freshRoom(): string {
  return roomNameFor({ eventId: randomUUID(), round: 1, tableId: randomUUID() });
}

function closed(socket: WebSocket): Promise<void> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => socket.once('close', () => resolve()));
}

describe.skipIf(!livekit.available)('video rooms on a real LiveKit server', () => {
  let server: LiveKitServer;
  let capture: WebhookCapture;
  let app: FastifyInstance;
  let provider: LiveKitVideoProvider;
  let verify: WebhookVerifier;
  const presence: PresenceChange[] = [];

  beforeAll(async () => {
    capture = await startWebhookCapture();
    // The app's route is started before LiveKit so that LiveKit can be told where it is.
    let routeVerifier: WebhookVerifier | undefined;
    app = Fastify();
    await app.register(videoRoutes, {
      verifyWebhook: (body, auth) => routeVerifier!(body, auth),
      onPresence: (change) => void presence.push(change),
    });
    const appUrl = await app.listen({ port: 0, host: '127.0.0.1' });
    server = await startLiveKit({ webhookUrls: [capture.url, `${appUrl}/api/livekit/webhook`] });
    verify = createWebhookVerifier(server);
    routeVerifier = verify;
    provider = new LiveKitVideoProvider(server);
  });

  afterAll(async () => {
    await server?.stop();
    await app?.close();
    await capture?.close();
  });

  describe('tokens', () => {
    it('lets a participant join exactly one room and publish only camera, microphone and a shared screen', async () => {
      const roomName = freshRoom();
      const identity = randomUUID();
      const token = await provider.mintParticipantToken({ roomName, identity, name: 'Ada Mentee', ttlSeconds: 900 });

      const [header] = token.split('.');
      expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toMatchObject({ alg: 'HS256' });
      const claims = await new TokenVerifier(server.apiKey, server.apiSecret).verify(token);
      expect(claims).toMatchObject({ sub: identity, name: 'Ada Mentee', iss: server.apiKey });
      expect(claims.exp! - claims.nbf!).toBe(900);
      expect(claims.video).toEqual({
        room: roomName,
        roomJoin: true,
        canPublish: true,
        canPublishSources: ['camera', 'microphone', 'screen_share'],
        canSubscribe: true,
        canPublishData: false,
        canUpdateOwnMetadata: false,
      });
      for (const claim of ['sip', 'inference', 'observability', 'roomConfig', 'metadata', 'kind']) {
        expect(claims).not.toHaveProperty(claim);
      }
    });

    it('lets an observer join one room invisibly, to watch and never to publish', async () => {
      const roomName = freshRoom();
      const request = { roomName, identity: 'organizer-1', name: 'Org', ttlSeconds: 60 };
      const token = await provider.mintObserverToken(request);
      const claims = await new TokenVerifier(server.apiKey, server.apiSecret).verify(token);
      expect(claims.sub).toBe('organizer-1');
      expect(claims.video).toEqual({
        room: roomName,
        roomJoin: true,
        hidden: true,
        canPublish: false,
        canSubscribe: true,
        canPublishData: false,
        canUpdateOwnMetadata: false,
      });
    });

    it('refuses to mint tokens without an identity or with a lifetime beyond any round', async () => {
      const roomName = freshRoom();
      const request = { roomName, identity: 'p', name: 'x', ttlSeconds: 60 };
      await expect(provider.mintParticipantToken({ ...request, identity: '' })).rejects.toThrow(RangeError);
      await expect(provider.mintParticipantToken({ ...request, ttlSeconds: 7 * 3600 })).rejects.toThrow(RangeError);
      await expect(provider.mintObserverToken({ ...request, ttlSeconds: 0 })).rejects.toThrow(RangeError);
    });

    it('is accepted by LiveKit for an open room, and a token signed with another secret is not', async () => {
      const roomName = freshRoom();
      await provider.ensureRoom(roomName, { emptyTimeoutSec: 60, maxParticipants: 3 });
      const request = { roomName, identity: randomUUID(), name: 'A', ttlSeconds: 60 };
      expect(await validateJoin(server, await provider.mintParticipantToken(request))).toBe(200);

      const forged = new LiveKitVideoProvider({ url: server.url, apiKey: server.apiKey, apiSecret: 'x'.repeat(43) });
      const forgedToken = await forged.mintParticipantToken(request);
      expect(await validateJoin(server, forgedToken)).toBe(401);
      await provider.closeRoom(roomName);
    });

    it('admits participants with exactly the permissions the token grants', async () => {
      const roomName = freshRoom();
      await provider.ensureRoom(roomName, { emptyTimeoutSec: 60, maxParticipants: 3 });
      const mentee = randomUUID();
      const menteeSocket = await joinSignalOnly(server.url,
        await provider.mintParticipantToken({ roomName, identity: mentee, name: 'Ada', ttlSeconds: 60 }),
      );
      const observerSocket = await joinSignalOnly(server.url,
        await provider.mintObserverToken({ roomName, identity: 'organizer-1', name: 'Org', ttlSeconds: 60 }),
      );

      const participants = await eventually(
        async () => {
          const list = await provider.listParticipants(roomName);
          return list.length === 2 && list;
        },
        { what: 'both participants to be listed' },
      );
      const byIdentity = new Map(participants.map((p) => [p.identity, p]));
      expect(byIdentity.get(mentee)).toMatchObject({
        name: 'Ada',
        permission: {
          canSubscribe: true,
          canPublish: true,
          canPublishData: false,
          canPublishSources: ['camera', 'microphone', 'screen_share'],
          hidden: false,
        },
      });
      expect(byIdentity.get('organizer-1')).toMatchObject({
        name: 'Org',
        permission: {
          canSubscribe: true,
          canPublish: false,
          canPublishData: false,
          canPublishSources: [],
          hidden: true,
        },
      });

      await provider.closeRoom(roomName);
      await Promise.all([closed(menteeSocket), closed(observerSocket)]);
    });
  });

  describe('rooms', () => {
    it('creates a room with its limits and closes it on the server', async () => {
      const roomName = freshRoom();
      const created = await provider.ensureRoom(roomName, { emptyTimeoutSec: 120, maxParticipants: 3 });
      expect(created).toMatchObject({ name: roomName, maxParticipants: 3, emptyTimeoutSec: 120, numParticipants: 0 });

      expect((await provider.listRooms()).map((r) => r.name)).toContain(roomName);
      expect(await provider.listRooms([roomName])).toEqual([
        expect.objectContaining({ name: roomName, maxParticipants: 3 }),
      ]);

      await provider.closeRoom(roomName);
      expect((await provider.listRooms()).map((r) => r.name)).not.toContain(roomName);
      expect(await provider.listRooms([roomName])).toEqual([]);
    });

    it('keeps the one open room of a table when asked for it again', async () => {
      const roomName = freshRoom();
      const first = await provider.ensureRoom(roomName, { emptyTimeoutSec: 60, maxParticipants: 2 });
      const again = await provider.ensureRoom(roomName, { emptyTimeoutSec: 90, maxParticipants: 3 });
      expect(again.createdAt).toEqual(first.createdAt);
      // LiveKit answers with the room that is already running; its first options stay.
      expect(again).toMatchObject({ maxParticipants: 2, emptyTimeoutSec: 60 });
      expect(await provider.listRooms([roomName])).toEqual([expect.objectContaining({ maxParticipants: 2 })]);
      await provider.closeRoom(roomName);
    });

    it('disconnects everyone in a room when it closes, and nobody can reopen it with an old token', async () => {
      const roomName = freshRoom();
      await provider.ensureRoom(roomName, { emptyTimeoutSec: 60, maxParticipants: 2 });
      const request = { roomName, identity: randomUUID(), name: 'A', ttlSeconds: 600 };
      const token = await provider.mintParticipantToken(request);
      const socket = await joinSignalOnly(server.url, token);
      await eventually(async () => (await provider.listParticipants(roomName)).length === 1, { what: 'the join' });

      await provider.closeRoom(roomName);
      await closed(socket);
      expect(await provider.listParticipants(roomName)).toEqual([]);
      // With room.auto_create off, a still-valid token cannot bring a closed room back.
      expect(await validateJoin(server, token)).toBe(404);
      expect(await provider.listRooms([roomName])).toEqual([]);
    });

    it('treats closing a room that is already gone as done', async () => {
      await expect(provider.closeRoom(freshRoom())).resolves.toBeUndefined();
      expect(await provider.listParticipants(freshRoom())).toEqual([]);
      expect(await provider.listRooms([])).toEqual([]);
    });

    it('turns the room of a full table away from one participant too many', async () => {
      const roomName = freshRoom();
      await provider.ensureRoom(roomName, { emptyTimeoutSec: 60, maxParticipants: 1 });
      const mint = () => provider.mintParticipantToken({ roomName, identity: randomUUID(), name: 'P', ttlSeconds: 60 });
      const first = await joinSignalOnly(server.url, await mint());
      await eventually(async () => (await provider.listParticipants(roomName)).length === 1, { what: 'the join' });
      await expect(joinSignalOnly(server.url, await mint())).rejects.toThrow(/refused/);
      // LiveKit writes the reason to its log a moment after refusing; on a busy machine, after the refusal reached us.
      await eventually(() => server.logs().includes('room has exceeded its max participants'), { what: "LiveKit's log of the refusal" });
      expect(await provider.listParticipants(roomName)).toHaveLength(1);
      await provider.closeRoom(roomName);
      await closed(first);
    });
  });

  describe('webhooks', () => {
    it('accepts the webhooks LiveKit really sends', async () => {
      const roomName = freshRoom();
      await provider.ensureRoom(roomName, { emptyTimeoutSec: 60, maxParticipants: 2 });
      const started = await capture.waitFor((h) => h.event === 'room_started' && h.roomName === roomName);
      expect(started.headers['content-type']).toBe('application/webhook+json');

      const verified = await verify(started.rawBody, started.headers.authorization);
      expect(verified).toMatchObject({ event: 'room_started', roomName, change: null });
      expect(verified.id).not.toBe('');
      await provider.closeRoom(roomName);
    });

    it('reports a closed room as finished, through the HTTP route', async () => {
      const roomName = freshRoom();
      await provider.ensureRoom(roomName, { emptyTimeoutSec: 60, maxParticipants: 2 });
      await provider.closeRoom(roomName);

      const finished = await capture.waitFor((h) => h.event === 'room_finished' && h.roomName === roomName);
      expect((await verify(finished.rawBody, finished.headers.authorization)).change).toMatchObject({
        kind: 'room_finished',
        roomName,
      });
      await eventually(() => presence.find((c) => c.kind === 'room_finished' && c.roomName === roomName), {
        what: 'the route to pass room_finished on',
      });
    });

    it('rejects unsigned, tampered and foreign-signed webhooks', async () => {
      const [roomName, otherRoomName] = [freshRoom(), freshRoom()];
      await provider.ensureRoom(roomName, { emptyTimeoutSec: 60, maxParticipants: 2 });
      await provider.ensureRoom(otherRoomName, { emptyTimeoutSec: 60, maxParticipants: 2 });
      const real = await capture.waitFor((h) => h.event === 'room_started' && h.roomName === roomName);
      const otherRoom = await capture.waitFor((h) => h.event === 'room_started' && h.roomName === otherRoomName);
      const auth = real.headers.authorization;
      const tampered = real.rawBody.replace(roomName, freshRoom());
      expect(tampered).not.toBe(real.rawBody);
      const otherServer = createWebhookVerifier({ apiKey: server.apiKey, apiSecret: 'y'.repeat(43) });

      await expect(verify(real.rawBody, undefined)).rejects.toThrow(WebhookVerificationError);
      await expect(verify(real.rawBody, '')).rejects.toThrow(WebhookVerificationError);
      await expect(verify(tampered, auth)).rejects.toThrow(/sha256/);
      // A genuine signature is only good for the body it was made for.
      await expect(verify(otherRoom.rawBody, auth)).rejects.toThrow(WebhookVerificationError);
      await expect(otherServer(real.rawBody, auth)).rejects.toThrow(WebhookVerificationError);
      await expect(verify(real.rawBody, 'not-a-jwt')).rejects.toThrow(WebhookVerificationError);
      await Promise.all([provider.closeRoom(roomName), provider.closeRoom(otherRoomName)]);
    });

    it('answers 401 on the route to anything LiveKit did not sign, and 200 to what it did', async () => {
      const roomName = freshRoom();
      await provider.ensureRoom(roomName, { emptyTimeoutSec: 60, maxParticipants: 2 });
      const real = await capture.waitFor((h) => h.event === 'room_started' && h.roomName === roomName);
      const post = (body: string, authorization?: string) =>
        app.inject({
          method: 'POST',
          url: '/api/livekit/webhook',
          headers: { 'content-type': 'application/webhook+json', ...(authorization ? { authorization } : {}) },
          payload: body,
        });

      const ok = await post(real.rawBody, real.headers.authorization);
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toEqual({ received: true });

      const unsigned = await post(real.rawBody);
      expect(unsigned.statusCode).toBe(401);
      expect(unsigned.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
      expect(unsigned.json().message).toMatch(/Authorization/);

      const tampered = await post(real.rawBody.replace(roomName, freshRoom()), real.headers.authorization);
      expect(tampered.statusCode).toBe(401);
      expect(tampered.json().message).toMatch(/sha256/);
      await provider.closeRoom(roomName);
    });
  });
});
