import type { Problem } from '@constellation/shared/schemas/common';

/** An error whose message is safe to show to the client, with an HTTP status. */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly problems?: Problem[];

  constructor(statusCode: number, message: string, problems?: Problem[]) {
    super(message);
    this.statusCode = statusCode;
    this.problems = problems;
    this.name = 'HttpError';
  }
}

export const notFound = (what: string): HttpError => new HttpError(404, `${what} not found`);
export const unauthorized = (message = 'Sign in first'): HttpError => new HttpError(401, message);
export const forbidden = (message: string): HttpError => new HttpError(403, message);
export const conflict = (message: string): HttpError => new HttpError(409, message);
export const unprocessable = (message: string, problems: Problem[]): HttpError => new HttpError(422, message, problems);
