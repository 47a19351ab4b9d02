/**
 * A soft two-note chime, synthesized with WebAudio (no sound file to ship). One AudioContext for the
 * page, made on first use; a browser that starts it suspended (no click on this page yet) gets it
 * resumed at the person's next click or key press.
 */
let context: AudioContext | null = null;

function audio(): AudioContext | null {
  if (context) return context;
  if (typeof AudioContext === 'undefined') return null;
  context = new AudioContext();
  if (context.state === 'suspended') {
    const resume = () => void context?.resume().catch(() => {});
    window.addEventListener('pointerdown', resume, { once: true, capture: true });
    window.addEventListener('keydown', resume, { once: true, capture: true });
  }
  return context;
}

/** One bell-like note: a sine with a quick attack and a long decay. */
function note(ctx: AudioContext, frequency: number, start: number, volume: number): void {
  const oscillator = ctx.createOscillator();
  const gain = ctx.createGain();
  oscillator.type = 'sine';
  oscillator.frequency.value = frequency;
  gain.gain.setValueAtTime(0.0001, start);
  gain.gain.exponentialRampToValueAtTime(volume, start + 0.02);
  gain.gain.exponentialRampToValueAtTime(0.0001, start + 1.1);
  oscillator.connect(gain).connect(ctx.destination);
  oscillator.start(start);
  oscillator.stop(start + 1.15);
}

/** Plays the chime; `urgent` (the last seconds) rings it twice. Never throws: a chime is a courtesy. */
export function playChime(urgent = false): void {
  try {
    const ctx = audio();
    if (!ctx) return;
    if (ctx.state === 'suspended') void ctx.resume().catch(() => {});
    const t = ctx.currentTime + 0.05;
    const rings = urgent ? [t, t + 0.45] : [t];
    for (const at of rings) {
      note(ctx, 880, at, 0.18);
      note(ctx, 1318.5, at + 0.16, 0.12);
    }
  } catch {
    // No audio output on this device: the flash and the spoken warning still come.
  }
}
