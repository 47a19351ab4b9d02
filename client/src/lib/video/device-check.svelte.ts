import { describeMediaError, loadDevicePreferences, saveDevicePreferences } from './devices.ts';

export type DeviceCheckStatus = 'off' | 'starting' | 'on' | 'error';

/**
 * The lobby's camera and microphone check: a preview stream, a microphone level from a WebAudio
 * AnalyserNode, the device lists and the person's choice (remembered for the call).
 */
export class DeviceCheck {
  #status = $state<DeviceCheckStatus>('off');
  #error = $state('');
  #stream = $state.raw<MediaStream | null>(null);
  #cameras = $state.raw<MediaDeviceInfo[]>([]);
  #microphones = $state.raw<MediaDeviceInfo[]>([]);
  #videoDeviceId = $state('');
  #audioDeviceId = $state('');
  /** 0–1, the microphone's loudness now. */
  #level = $state(0);

  #audio: AudioContext | null = null;
  #frame = 0;
  #attempt = 0;

  constructor() {
    const prefs = loadDevicePreferences();
    this.#videoDeviceId = prefs.videoDeviceId ?? '';
    this.#audioDeviceId = prefs.audioDeviceId ?? '';
  }

  get status(): DeviceCheckStatus {
    return this.#status;
  }
  get error(): string {
    return this.#error;
  }
  get stream(): MediaStream | null {
    return this.#stream;
  }
  get cameras(): MediaDeviceInfo[] {
    return this.#cameras;
  }
  get microphones(): MediaDeviceInfo[] {
    return this.#microphones;
  }
  get videoDeviceId(): string {
    return this.#videoDeviceId;
  }
  get audioDeviceId(): string {
    return this.#audioDeviceId;
  }
  get level(): number {
    return this.#level;
  }

  async start(): Promise<void> {
    const attempt = ++this.#attempt;
    this.#release();
    this.#status = 'starting';
    this.#error = '';
    if (!navigator.mediaDevices?.getUserMedia) {
      this.#status = 'error';
      this.#error = 'This browser cannot use a camera or microphone here. Open the page over https in a recent browser.';
      return;
    }
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: this.#videoDeviceId ? { deviceId: { exact: this.#videoDeviceId } } : true,
        audio: this.#audioDeviceId ? { deviceId: { exact: this.#audioDeviceId } } : true,
      });
    } catch (error) {
      if (attempt !== this.#attempt) return;
      // A remembered device that is gone: forget it and try the defaults once.
      if (error instanceof DOMException && error.name === 'OverconstrainedError' && (this.#videoDeviceId || this.#audioDeviceId)) {
        this.#videoDeviceId = '';
        this.#audioDeviceId = '';
        this.#save();
        return this.start();
      }
      this.#status = 'error';
      this.#error = describeMediaError(error);
      return;
    }
    if (attempt !== this.#attempt) return void stopAll(stream);
    this.#stream = stream;
    this.#status = 'on';
    this.#videoDeviceId = stream.getVideoTracks()[0]?.getSettings().deviceId ?? this.#videoDeviceId;
    this.#audioDeviceId = stream.getAudioTracks()[0]?.getSettings().deviceId ?? this.#audioDeviceId;
    await this.#listDevices();
    // Stopped (or restarted) while the devices were being listed: this stream is already released,
    // and a meter on it would leave an AudioContext and its animation loop running for good.
    if (attempt !== this.#attempt) return;
    this.#meter(stream);
  }

  async chooseCamera(deviceId: string): Promise<void> {
    this.#videoDeviceId = deviceId;
    this.#save();
    await this.start();
  }

  async chooseMicrophone(deviceId: string): Promise<void> {
    this.#audioDeviceId = deviceId;
    this.#save();
    await this.start();
  }

  stop(): void {
    this.#attempt++;
    this.#release();
    this.#status = 'off';
  }

  #save(): void {
    saveDevicePreferences({
      ...(this.#videoDeviceId ? { videoDeviceId: this.#videoDeviceId } : {}),
      ...(this.#audioDeviceId ? { audioDeviceId: this.#audioDeviceId } : {}),
    });
  }

  async #listDevices(): Promise<void> {
    try {
      const devices = await navigator.mediaDevices.enumerateDevices();
      this.#cameras = devices.filter((d) => d.kind === 'videoinput');
      this.#microphones = devices.filter((d) => d.kind === 'audioinput');
    } catch {
      // The preview works without the lists; the choice just stays with the default.
    }
  }

  #meter(stream: MediaStream): void {
    if (stream.getAudioTracks().length === 0 || typeof AudioContext === 'undefined') return;
    const audio = new AudioContext();
    this.#audio = audio;
    const analyser = audio.createAnalyser();
    analyser.fftSize = 512;
    audio.createMediaStreamSource(stream).connect(analyser);
    const samples = new Uint8Array(analyser.fftSize);
    const step = () => {
      analyser.getByteTimeDomainData(samples);
      let sum = 0;
      for (const s of samples) sum += ((s - 128) / 128) ** 2;
      // RMS, scaled so speech at a normal distance fills most of the meter.
      this.#level = Math.min(1, Math.sqrt(sum / samples.length) * 4);
      this.#frame = requestAnimationFrame(step);
    };
    step();
  }

  #release(): void {
    cancelAnimationFrame(this.#frame);
    void this.#audio?.close().catch(() => {});
    this.#audio = null;
    if (this.#stream) stopAll(this.#stream);
    this.#stream = null;
    this.#level = 0;
  }
}

function stopAll(stream: MediaStream): void {
  for (const track of stream.getTracks()) track.stop();
}
