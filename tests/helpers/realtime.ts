import { io, type Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, ServerToClientEvents } from '@constellation/shared/realtime/events';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A real Socket.IO client, authenticated by a session cookie as a browser would be. */
export function connectSocket(url: string, opts: { cookie?: string; eventId?: string; as?: 'organizer' | 'participant'; reconnection?: boolean } = {}): ClientSocket {
  return io(url, {
    path: '/socket.io',
    transports: ['websocket'],
    extraHeaders: opts.cookie ? { cookie: opts.cookie } : {},
    auth: { ...(opts.eventId ? { eventId: opts.eventId } : {}), ...(opts.as ? { as: opts.as } : {}) },
    reconnection: opts.reconnection ?? false,
    reconnectionDelay: 100,
    reconnectionDelayMax: 500,
    forceNew: true,
  }) as ClientSocket;
}

/** Resolves with the next emission of `event`, or rejects after `timeoutMs`. */
export function nextEvent<E extends keyof ServerToClientEvents>(socket: ClientSocket, event: E, timeoutMs = 20_000): Promise<Parameters<ServerToClientEvents[E]>[0]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${String(event)} within ${timeoutMs} ms`)), timeoutMs);
    socket.once(event as never, ((payload: unknown) => {
      clearTimeout(timer);
      resolve(payload as Parameters<ServerToClientEvents[E]>[0]);
    }) as never);
  });
}

export function connected(socket: ClientSocket, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.connected) return resolve();
    const timer = setTimeout(() => reject(new Error('socket did not connect')), timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('connect_error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Emits a command and waits for its acknowledgement; one that never comes fails after `timeoutMs`, naming the command. */
export function command<T>(socket: ClientSocket, event: keyof ClientToServerEvents, payload?: unknown, timeoutMs = 60_000): Promise<Ack<T>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no acknowledgement of ${String(event)} within ${timeoutMs} ms (socket ${socket.connected ? 'connected' : 'disconnected'})`)), timeoutMs);
    const ack = (response: Ack<T>) => {
      clearTimeout(timer);
      resolve(response);
    };
    if (payload === undefined) (socket.emit as (e: string, a: unknown) => void)(event, ack);
    else (socket.emit as (e: string, p: unknown, a: unknown) => void)(event, payload, ack);
  });
}
