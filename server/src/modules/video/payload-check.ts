import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';

/** A socket payload's check: null when valid, else where and what is wrong, for the `invalid-payload` answer. */
export function payloadChecker(schema: TSchema): (value: unknown) => string | null {
  const compiled = Compile(schema);
  return (value) => {
    if (compiled.Check(value)) return null;
    const first = [...compiled.Errors(value)][0];
    return first ? `${first.instancePath || 'payload'} ${first.message}` : 'payload is invalid';
  };
}
