import fp from 'fastify-plugin';
import type { FastifyError } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { HttpError } from '../lib/http-errors.ts';
import { isDatabaseUnavailable } from './db.ts';
import { OwnerUnavailableError } from '../cluster/cluster.ts';
import { LeaseLostError } from '../cluster/leases.ts';
import type { ErrorBody } from '@constellation/shared/schemas/common';

/** PostgreSQL error codes that mean the input was wrong, not the server. */
const PG_CLIENT_ERRORS: Record<string, { status: number; message: string }> = {
  '23505': { status: 409, message: 'That already exists' },
  '23503': { status: 409, message: 'That refers to something that does not exist' },
  '23514': { status: 400, message: 'A value is out of range' },
  '22P02': { status: 400, message: 'A value has the wrong format' },
  '22001': { status: 400, message: 'A value is too long' },
  '22003': { status: 400, message: 'A number is out of range' },
  '22007': { status: 400, message: 'A date has the wrong format' },
  '22008': { status: 400, message: 'A date is out of range' },
  // NUL bytes are refused by name before they get here (plugins/input-guard.ts); this is the backstop.
  '22021': { status: 400, message: 'A value contains a character that cannot be stored' },
  '22P05': { status: 400, message: 'A value contains a character that cannot be stored' },
};

function body(statusCode: number, message: string, problems?: ErrorBody['problems']): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, ...(problems ? { problems } : {}) };
}

/** One error handler: 4xx answers say exactly what was wrong; 5xx answers reveal nothing and are logged. */
export default fp(
  async (app) => {
    app.setErrorHandler((error: FastifyError & { code?: string; problems?: ErrorBody['problems'] }, request, reply) => {
      if (error instanceof HttpError) {
        return reply.status(error.statusCode).send(body(error.statusCode, error.message, error.problems));
      }
      if (error.validation) {
        const problems = error.validation.map((v) => ({
          field: `${error.validationContext ?? 'body'}${v.instancePath || ''}`.replace(/\//g, '.'),
          message: v.message ?? 'is invalid',
        }));
        const first = problems[0];
        const message = first ? `${first.field} ${first.message}` : 'The request is invalid';
        return reply.status(400).send(body(400, message, problems));
      }
      const pgError = error.code ? PG_CLIENT_ERRORS[error.code] : undefined;
      if (pgError) {
        request.log.info({ err: error }, 'database rejected input');
        return reply.status(pgError.status).send(body(pgError.status, pgError.message));
      }
      if (isDatabaseUnavailable(error)) {
        // Refused, never acknowledged: nothing of this request was saved.
        request.log.warn({ err: error, reqId: request.id }, 'database unavailable');
        reply.header('retry-after', '5');
        return reply.status(503).send(body(503, 'The database is unavailable right now; nothing was saved. Try again in a few seconds.'));
      }
      if (error instanceof OwnerUnavailableError && error.uncertain) {
        request.log.warn({ err: error, reqId: request.id }, 'event owner did not answer in time');
        return reply.status(504).send(body(504, 'The server running this event did not answer in time: the change may still happen. Reload to see before trying again.'));
      }
      if (error instanceof OwnerUnavailableError || error instanceof LeaseLostError) {
        // Several nodes: the one running this event is changing hands; nothing was done.
        request.log.warn({ err: error, reqId: request.id }, 'event owner unavailable');
        reply.header('retry-after', '5');
        return reply.status(503).send(body(503, 'The server running this event is changing over; nothing was done. Try again in a few seconds.'));
      }
      const status = error.statusCode ?? 500;
      if (status >= 400 && status < 500) {
        return reply.status(status).send(body(status, error.message));
      }
      request.log.error({ err: error, reqId: request.id }, 'unhandled error');
      return reply.status(500).send(body(500, `Something went wrong on our side (request ${request.id})`));
    });
  },
  { name: 'error-handler' },
);
