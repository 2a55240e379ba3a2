// A short, quiet two-tone chime for new work, made with WebAudio: no audio file to ship, and
// nothing that could fail to load offline.

let context = null;
let lastChime = 0;
let muted = false;
let played = 0;
// Ten assignments replayed after a reconnection should not make ten chimes.
const MIN_GAP_MS = 1_500;

/**
 * Browsers only let a page make sound after the person interacted with it; call this from a
 * click (signing in) so that the chime can play later without one.
 */
export function unlockSound() {
  const AudioContextClass = window.AudioContext || window.webkitAudioContext;
  if (!AudioContextClass) return;
  context = context ?? new AudioContextClass();
  if (context.state === "suspended") context.resume().catch(() => {});
}

/** The person's choice in the console's header; remembered by the console, not here. */
export function setMuted(value) {
  muted = Boolean(value);
}

/** Play the chime; false when it did not (muted, not unlocked yet, or just played). */
export function chime() {
  const now = Date.now();
  if (muted || !context || now - lastChime < MIN_GAP_MS) return false;
  lastChime = now;
  played += 1;
  const start = context.currentTime;
  [880, 1320].forEach((frequency, index) => {
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.type = "sine";
    oscillator.frequency.value = frequency;
    const at = start + index * 0.12;
    // A soft attack and decay: a click-free "ding" at a tenth of full volume.
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.1, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.25);
    oscillator.connect(gain).connect(context.destination);
    oscillator.start(at);
    oscillator.stop(at + 0.3);
  });
  return true;
}

/** How many chimes played: the browser tests check that new work made a sound. */
export function chimesPlayed() {
  return played;
}
