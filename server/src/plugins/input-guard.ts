import fp from 'fastify-plugin';
import { HttpError } from '../lib/http-errors.ts';
import { UNSTORABLE_MESSAGE, findUnstorable } from '../lib/validation.ts';

/**
 * Refuses, by field, any string PostgreSQL cannot store (NUL bytes, unpaired surrogates) in a
 * request's params, query or JSON body, on every route, before validation: a 400 naming the
 * field instead of a database error. CSV cells and socket payloads are checked where they are read.
 */
export default fp(
  async (app) => {
    app.addHook('preValidation', async (request) => {
      const field =
        findUnstorable(request.params, 'params') ?? findUnstorable(request.query, 'querystring') ?? findUnstorable(request.body, 'body');
      if (field) throw new HttpError(400, `${field} ${UNSTORABLE_MESSAGE}`, [{ field, message: UNSTORABLE_MESSAGE }]);
    });
  },
  { name: 'input-guard' },
);
