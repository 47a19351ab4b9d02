import type { Attachment } from 'svelte/attachments';
import type { MediaView } from './transport.ts';

/**
 * `{@attach attachTrack(track)}` on a `<video>` or `<audio>`: plays the track there, and detaches it
 * when the element goes or the track changes. `onpicture` hears the first frame the element shows
 * that is not black: a partner waiting on standby sends black frames until the round starts.
 */
export function attachTrack(track: MediaView | null | undefined, onpicture?: () => void): Attachment<HTMLMediaElement> {
  return (element) => {
    if (!track) return;
    track.attach(element);
    const stopWatching = onpicture && element instanceof HTMLVideoElement ? watchFirstPicture(element, onpicture) : undefined;
    return () => {
      stopWatching?.();
      track.detach(element);
    };
  };
}

/** `{@attach attachMediaTrack(track)}` on a `<video>`: plays a browser track that is not LiveKit's (a local preview). */
export function attachMediaTrack(track: MediaStreamTrack | null | undefined): Attachment<HTMLVideoElement> {
  return (element) => {
    if (!track) return;
    element.srcObject = new MediaStream([track]);
    return () => {
      element.srcObject = null;
    };
  };
}

/** Samples each new frame at 8×8 pixels until one is not black, then calls `onpicture` once. */
function watchFirstPicture(video: HTMLVideoElement, onpicture: () => void): () => void {
  // Firefox before 132 lacks the frame callback; 'playing' is close enough there.
  if (typeof video.requestVideoFrameCallback !== 'function') {
    video.addEventListener('playing', onpicture, { once: true });
    return () => video.removeEventListener('playing', onpicture);
  }
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 8;
  const context = canvas.getContext('2d', { willReadFrequently: true });
  let request: number | null = null;
  const check = () => {
    request = null;
    if (!context || showsPicture(context, video)) return onpicture();
    request = video.requestVideoFrameCallback(check);
  };
  request = video.requestVideoFrameCallback(check);
  return () => {
    if (request !== null) video.cancelVideoFrameCallback(request);
  };
}

/** A disabled camera's frames decode to pure black; any real picture has brighter pixels somewhere. */
export function showsPicture(context: CanvasRenderingContext2D, source: CanvasImageSource): boolean {
  let pixels: Uint8ClampedArray;
  try {
    context.drawImage(source, 0, 0, 8, 8);
    pixels = context.getImageData(0, 0, 8, 8).data;
  } catch {
    return true; // cannot tell: count it as a picture rather than never
  }
  for (let i = 0; i < pixels.length; i += 4) {
    if (pixels[i]! > 16 || pixels[i + 1]! > 16 || pixels[i + 2]! > 16) return true;
  }
  return false;
}
