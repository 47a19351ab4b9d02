/** Calls through a LiveKit server: one livekit-client `Room` per call. Loaded on first use. */
import {
  ConnectionState,
  DisconnectReason,
  Room,
  RoomEvent,
  Track,
  createLocalTracks,
  LocalAudioTrack,
  LocalVideoTrack,
  type LocalTrack,
  type RemoteParticipant,
} from 'livekit-client';
import type { VideoConnection } from '@constellation/shared/realtime/events';
import type { CallTransport, CallView, DeviceRequest, LocalMedia, Quality, RemoteView, TransportContext } from './transport.ts';

/** The server took everyone out of the room: the round is over, not a network problem. */
const endedByServer = (reason: DisconnectReason | undefined) => reason === DisconnectReason.ROOM_DELETED || reason === DisconnectReason.PARTICIPANT_REMOVED;

export function createLiveKitTransport({ listener, prefs }: TransportContext): CallTransport {
  const room = new Room({
    // One viewer per video, at one size: simulcast layers and adaptive pausing only add the
    // latency of switching layers (a key frame) when a standby call goes live.
    adaptiveStream: false,
    dynacast: false,
    publishDefaults: { simulcast: false },
    videoCaptureDefaults: prefs.videoDeviceId ? { deviceId: prefs.videoDeviceId } : {},
    audioCaptureDefaults: prefs.audioDeviceId ? { deviceId: prefs.audioDeviceId } : {},
  });
  const changed = () => listener.changed();
  room
    .on(RoomEvent.ParticipantConnected, changed)
    .on(RoomEvent.ParticipantDisconnected, changed)
    .on(RoomEvent.TrackSubscribed, changed)
    .on(RoomEvent.TrackUnsubscribed, changed)
    // Unsubscribed fires while the publication still holds its track: a stopped screen share is gone only once unpublished.
    .on(RoomEvent.TrackUnpublished, changed)
    .on(RoomEvent.TrackMuted, changed)
    .on(RoomEvent.TrackUnmuted, changed)
    .on(RoomEvent.LocalTrackPublished, changed)
    .on(RoomEvent.LocalTrackUnpublished, changed)
    .on(RoomEvent.ConnectionQualityChanged, changed)
    .on(RoomEvent.ActiveSpeakersChanged, (speakers) => listener.speaking(speakers.filter((p) => p !== room.localParticipant).map((p) => p.identity)))
    // Resuming the session (the signalling dropped) or restarting it (the media too): either way the call is down for now.
    .on(RoomEvent.SignalReconnecting, () => listener.reconnecting())
    .on(RoomEvent.Reconnecting, () => listener.reconnecting())
    .on(RoomEvent.Reconnected, () => listener.reconnected())
    .on(RoomEvent.AudioPlaybackStatusChanged, () => listener.audioBlocked(!room.canPlaybackAudio))
    .on(RoomEvent.MediaDevicesError, (error: Error) => listener.mediaError(error))
    .on(RoomEvent.Disconnected, (reason?: DisconnectReason) => listener.disconnected(endedByServer(reason)));

  const request = (r: DeviceRequest) => (typeof r === 'object' ? { deviceId: r.deviceId } : r);

  return {
    openDevices: (wanted) => createLocalTracks({ audio: request(wanted.audio), video: request(wanted.video) }),
    async connect(connection: VideoConnection) {
      try {
        await room.connect(connection.serverUrl, connection.token);
      } catch (error) {
        room.removeAllListeners();
        void room.disconnect();
        throw error;
      }
    },
    get connected() {
      return room.state === ConnectionState.Connected;
    },
    async publish(tracks: LocalMedia[]) {
      await Promise.all(tracks.map((track) => room.localParticipant.publishTrack(track as LocalTrack))).catch(() => {});
    },
    // The camera and microphone: a shared screen does not move to another room (or a new partner) by itself.
    published: () =>
      [...room.localParticipant.trackPublications.values()].flatMap((p) =>
        p.track && (p.source === Track.Source.Camera || p.source === Track.Source.Microphone) ? [p.track as LocalTrack] : [],
      ),
    duplicate: (tracks) =>
      tracks.map((track) => {
        const copy = track.mediaStreamTrack.clone();
        const duplicate = copy.kind === 'video' ? new LocalVideoTrack(copy, undefined, true) : new LocalAudioTrack(copy, undefined, true);
        duplicate.source = copy.kind === 'video' ? Track.Source.Camera : Track.Source.Microphone;
        return duplicate;
      }),
    // The server enforces it: nobody in the room is allowed to subscribe to this browser's tracks.
    hold: async () => room.localParticipant.setTrackSubscriptionPermissions(false, []),
    release: async () => room.localParticipant.setTrackSubscriptionPermissions(true),
    // Muting through LiveKit tells the other side the camera or microphone is off.
    mute: async (track) => void (await (track as LocalTrack).mute()),
    screenShareUnsupported: null,
    async setScreenShare(on) {
      await room.localParticipant.setScreenShareEnabled(on, { audio: false });
    },
    async setDevice(device, on) {
      if (device === 'camera') await room.localParticipant.setCameraEnabled(on);
      else await room.localParticipant.setMicrophoneEnabled(on);
    },
    view(): CallView {
      const camera = room.localParticipant.getTrackPublication(Track.Source.Camera);
      const screen = room.localParticipant.getTrackPublication(Track.Source.ScreenShare);
      return {
        remotes: [...room.remoteParticipants.values()].map(viewOf),
        localVideo: camera && !camera.isMuted ? ((camera.videoTrack as LocalVideoTrack | undefined) ?? null) : null,
        localScreen: (screen && !screen.isMuted ? (screen.videoTrack as LocalVideoTrack | undefined) : undefined) ?? null,
        quality: room.localParticipant.connectionQuality as Quality,
      };
    },
    async startAudio() {
      await room.startAudio();
      return room.canPlaybackAudio;
    },
    disconnect(stopTracks) {
      room.removeAllListeners();
      void room.disconnect(stopTracks);
    },
  };
}

function viewOf(participant: RemoteParticipant): RemoteView {
  const camera = participant.getTrackPublication(Track.Source.Camera);
  const microphone = participant.getTrackPublication(Track.Source.Microphone);
  const screen = participant.getTrackPublication(Track.Source.ScreenShare);
  return {
    identity: participant.identity,
    name: participant.name || participant.identity,
    video: (camera?.isSubscribed ? camera.videoTrack : undefined) ?? null,
    audio: (microphone?.isSubscribed ? microphone.audioTrack : undefined) ?? null,
    screen: (screen?.isSubscribed && !screen.isMuted ? screen.videoTrack : undefined) ?? null,
    cameraOff: !camera || camera.isMuted,
    micMuted: !microphone || microphone.isMuted,
    quality: participant.connectionQuality as Quality,
  };
}
