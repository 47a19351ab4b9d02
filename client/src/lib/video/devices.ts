/** The camera and microphone a person chose in the lobby's device check, remembered for the call. */
export interface DevicePreferences {
  videoDeviceId?: string;
  audioDeviceId?: string;
}

const KEY = 'constellation:devices';

export function loadDevicePreferences(): DevicePreferences {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(KEY) ?? '{}');
    if (typeof parsed !== 'object' || parsed === null) return {};
    const { videoDeviceId, audioDeviceId } = parsed as Record<string, unknown>;
    return {
      ...(typeof videoDeviceId === 'string' && videoDeviceId ? { videoDeviceId } : {}),
      ...(typeof audioDeviceId === 'string' && audioDeviceId ? { audioDeviceId } : {}),
    };
  } catch {
    return {}; // storage disabled or garbage: the browser's default devices will do
  }
}

export function saveDevicePreferences(prefs: DevicePreferences): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(prefs));
  } catch {
    // Private mode with storage off: the choice lasts for this page only.
  }
}

/** What went wrong with the camera or microphone, in words a participant can act on. */
export function describeMediaError(error: unknown, what = 'camera or microphone'): string {
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return `The browser is not allowed to use your ${what}. Allow access in the address bar's site settings, then try again.`;
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return `No ${what} was found. Plug one in (or choose another), then try again.`;
    case 'NotReadableError':
    case 'TrackStartError':
      return `Your ${what} is in use by another application or could not be started. Close the other application, then try again.`;
    default:
      return `Your ${what} could not be started${error instanceof Error && error.message ? `: ${error.message}` : '.'}`;
  }
}
