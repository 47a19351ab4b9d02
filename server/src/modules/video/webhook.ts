import { WebhookReceiver, type WebhookEvent } from 'livekit-server-sdk';

/** Who is in which room, as LiveKit reports it; the identity is the participant id the token was minted for. */
export type PresenceChange =
  | {
      /** `track_published`: a camera or microphone reached the room (recorded; presence itself is joins and leaves). */
      kind: 'participant_joined' | 'participant_left' | 'track_published';
      roomName: string;
      identity: string;
      name: string;
      /** Observers join hidden: presence of the pair should not count them. */
      hidden: boolean;
      at: Date;
    }
  | { kind: 'room_finished'; roomName: string; at: Date };

export interface VerifiedWebhook {
  /** Unique per event: LiveKit retries deliveries, so handlers should be idempotent on it. */
  id: string;
  /** Every LiveKit event name, including those that are not presence changes (`room_started`, `track_published`...). */
  event: string;
  roomName: string | null;
  /** `null` for events that say nothing about who is in a room. */
  change: PresenceChange | null;
}

export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
}

export type WebhookVerifier = (rawBody: string, authorization: string | undefined) => Promise<VerifiedWebhook>;

/**
 * Checks that a webhook was signed by LiveKit with our key and that the body is the one it signed
 * (the JWT carries the body's SHA-256), then reads it. Give it the raw body exactly as received:
 * re-serialised JSON no longer matches the signature.
 */
export function createWebhookVerifier(credentials: { apiKey: string; apiSecret: string }): WebhookVerifier {
  const receiver = new WebhookReceiver(credentials.apiKey, credentials.apiSecret);
  return async (rawBody, authorization) => {
    const token = authorization?.replace(/^Bearer\s+/i, '').trim();
    if (!token) throw new WebhookVerificationError('missing Authorization header: LiveKit webhooks are signed');
    let event: WebhookEvent;
    try {
      event = await receiver.receive(rawBody, token);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new WebhookVerificationError(`webhook rejected: ${reason}`, { cause: error });
    }
    return {
      id: event.id,
      event: event.event,
      roomName: event.room?.name || null,
      change: toPresenceChange(event, Date.now()),
    };
  };
}

/**
 * LiveKit stamps its events in whole seconds. Attendance is measured in milliseconds (a leave as the
 * room closes must not read as leaving a second early), so the moment of receipt is used when it
 * falls in that second, as it does for every delivery but a late retry, which stays in its second.
 */
export function eventInstant(createdAtSeconds: number, receivedAt: number): Date {
  const from = createdAtSeconds * 1000;
  return new Date(Math.min(from + 999, Math.max(from, receivedAt)));
}

function toPresenceChange(event: WebhookEvent, receivedAt: number): PresenceChange | null {
  const roomName = event.room?.name;
  if (!roomName) return null;
  const at = eventInstant(Number(event.createdAt), receivedAt);
  switch (event.event) {
    case 'participant_joined':
    case 'participant_left':
    case 'track_published': {
      const participant = event.participant;
      if (!participant?.identity) return null;
      const hidden = participant.permission?.hidden ?? false;
      return { kind: event.event, roomName, identity: participant.identity, name: participant.name, hidden, at };
    }
    case 'room_finished':
      return { kind: 'room_finished', roomName, at };
    default:
      // participant_connection_aborted replaces participant_left for someone whose media never connected,
      // and who therefore was never reported as joined (LiveKit sends participant_joined once media flows).
      return null;
  }
}
