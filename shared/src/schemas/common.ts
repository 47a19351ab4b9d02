import { Type, type Static } from 'typebox';

export const Uuid = Type.String({ format: 'uuid' });

export const ErrorBody = Type.Object({
  statusCode: Type.Integer(),
  error: Type.String(),
  message: Type.String(),
  /** Field-level problems, when the request had them. */
  problems: Type.Optional(
    Type.Array(
      Type.Object({
        row: Type.Optional(Type.Integer()),
        column: Type.Optional(Type.String()),
        field: Type.Optional(Type.String()),
        message: Type.String(),
      }),
    ),
  ),
});
export type ErrorBody = Static<typeof ErrorBody>;
export type Problem = NonNullable<ErrorBody['problems']>[number];

export const EventIdParams = Type.Object({ eventId: Uuid });
export const ParticipantIdParams = Type.Object({ eventId: Uuid, participantId: Uuid });
