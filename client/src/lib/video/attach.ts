import type { Track } from 'livekit-client';
import type { Attachment } from 'svelte/attachments';

/**
 * `{@attach attachTrack(track)}` on a `<video>` or `<audio>`: plays the track there, and detaches it
 * when the element goes or the track changes. `onframe` hears the first frame the element shows.
 */
export function attachTrack(track: Track | null | undefined, onframe?: () => void): Attachment<HTMLMediaElement> {
  return (element) => {
    if (!track) return;
    track.attach(element);
    let frameRequest: number | null = null;
    if (onframe && element instanceof HTMLVideoElement) {
      // Firefox before 132 lacks the frame callback; 'playing' is close enough there.
      const video: HTMLVideoElement = element;
      if (typeof video.requestVideoFrameCallback === 'function') frameRequest = video.requestVideoFrameCallback(() => onframe());
      else video.addEventListener('playing', () => onframe(), { once: true });
    }
    return () => {
      if (frameRequest !== null && element instanceof HTMLVideoElement) element.cancelVideoFrameCallback(frameRequest);
      track.detach(element);
    };
  };
}
