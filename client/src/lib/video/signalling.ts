import type { Ack, ClientToServerEvents, ServerToClientEvents } from '@constellation/shared/realtime/events';
import type { Socket } from 'socket.io-client';
import type { SignallingChannel } from './transport.ts';

const ACK_TIMEOUT_MS = 8_000;

/** Direct calls' signalling over the page's one live socket (opened by the socket module). */
export function signallingOver(socket: Socket<ServerToClientEvents, ClientToServerEvents>): SignallingChannel {
  async function ask<T>(send: () => Promise<Ack<T>>): Promise<Ack<T>> {
    if (!socket.connected) return { error: { code: 'offline', message: 'Not connected to the server; reconnecting' } };
    try {
      return await send();
    } catch {
      return { error: { code: 'timeout', message: 'The server did not answer in time' } };
    }
  }
  const timed = () => socket.timeout(ACK_TIMEOUT_MS);
  return {
    join: (payload) => ask(() => timed().emitWithAck('video:join', payload)),
    signal: (payload) => ask(() => timed().emitWithAck('video:signal', payload)),
    media: (payload) => ask(() => timed().emitWithAck('video:media', payload)),
    links: (payload) => ask(() => timed().emitWithAck('video:links', payload)),
    leave: (payload) => ask(() => timed().emitWithAck('video:leave', payload)),
    subscribe(handlers) {
      const offline = () => handlers.offline();
      const online = () => handlers.online();
      socket.on('video:peer-joined', handlers.peerJoined);
      socket.on('video:peer-left', handlers.peerLeft);
      socket.on('video:signalled', handlers.signalled);
      socket.on('video:removed', handlers.removed);
      socket.on('disconnect', offline);
      // Socket.IO's `connect` comes again after every reconnection.
      socket.on('connect', online);
      return () => {
        socket.off('video:peer-joined', handlers.peerJoined);
        socket.off('video:peer-left', handlers.peerLeft);
        socket.off('video:signalled', handlers.signalled);
        socket.off('video:removed', handlers.removed);
        socket.off('disconnect', offline);
        socket.off('connect', online);
      };
    },
  };
}
