import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import type { Ack, AckCallback } from '@constellation/shared/realtime/events';

/** A socket payload's check: null when valid, else where and what is wrong, for the `invalid-payload` answer. */
export function payloadChecker(schema: TSchema): (value: unknown) => string | null {
  const compiled = Compile(schema);
  return (value) => {
    if (compiled.Check(value)) return null;
    const first = [...compiled.Errors(value)][0];
    return first ? `${first.instancePath || 'payload'} ${first.message}` : 'payload is invalid';
  };
}

/**
 * The acknowledgement of a socket message: the callback the client sent, or one that does nothing
 * for a client that sent none (or something else). A client that sends only a callback, with no
 * payload, passes it as `payload`: it still hears what was wrong.
 */
export function ackOf<T>(maybe: unknown, payload?: unknown): AckCallback<T> {
  if (typeof maybe === 'function') return maybe as AckCallback<T>;
  if (typeof payload === 'function') return payload as AckCallback<T>;
  return () => {};
}

/** A refused socket message's answer: a stable code and a sentence for the person. */
export const fail = <T>(code: string, message: string): Ack<T> => ({ error: { code, message } });
