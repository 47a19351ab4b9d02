import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorBody } from '@constellation/shared/schemas/common';
import {
  WebhookVerificationError,
  type PresenceChange,
  type VerifiedWebhook,
  type WebhookVerifier,
} from './webhook.ts';

export interface VideoRoutesOptions {
  verifyWebhook: WebhookVerifier;
  /** Called once per verified presence change; throw to answer 500 and have LiveKit retry the delivery. */
  onPresence: (change: PresenceChange, webhook: VerifiedWebhook) => void | Promise<void>;
}

const WebhookAccepted = Type.Object({ received: Type.Literal(true) });

/**
 * LiveKit's webhooks. Deliberately not wrapped in fastify-plugin: the raw-body parser for
 * `application/webhook+json` must stay inside this plugin's scope.
 */
export const videoRoutes: FastifyPluginAsyncTypebox<VideoRoutesOptions> = async (fastify, options) => {
  // The signature covers the exact bytes LiveKit sent, so the body must reach the verifier unparsed.
  fastify.addContentTypeParser(
    'application/webhook+json',
    { parseAs: 'string', bodyLimit: 1024 * 1024 },
    (_request, body, done) => done(null, body),
  );

  fastify.post(
    '/api/livekit/webhook',
    {
      schema: {
        summary: 'Receives room and participant events from LiveKit',
        headers: Type.Object({ authorization: Type.Optional(Type.String()) }),
        body: Type.String(),
        response: { 200: WebhookAccepted, 401: ErrorBody },
      },
    },
    async (request, reply) => {
      let webhook: VerifiedWebhook;
      try {
        webhook = await options.verifyWebhook(request.body, request.headers.authorization);
      } catch (error) {
        if (!(error instanceof WebhookVerificationError)) throw error;
        request.log.warn({ reason: error.message }, 'rejected a LiveKit webhook');
        return reply.code(401).send({ statusCode: 401, error: 'Unauthorized', message: error.message });
      }
      if (webhook.change) await options.onPresence(webhook.change, webhook);
      return { received: true as const };
    },
  );
};
