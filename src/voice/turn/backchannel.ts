/**
 * Words a listener says to show they are listening, not to take the turn. A caller sound whose
 * transcript is only these (or nothing) lets the agent carry on.
 */
const BACKCHANNEL_WORDS = new Set([
  'mm', 'mhm', 'mmhmm', 'mmm', 'hmm', 'hm', 'uh', 'huh', 'uhhuh', 'um', 'ah', 'oh', 'ok', 'okay', 'right', 'yeah', 'yep',
  'yes', 'sure', 'alright', 'i', 'see', 'got', 'it', 'cool', 'great', 'nice', 'aha', 'gotcha',
]);

export function isBackchannel(transcript: string): boolean {
  // "uh-huh", "mm-hmm" → "uhhuh", "mmhmm"; punctuation and case ignored.
  const words = transcript.toLowerCase().replace(/(\w)-(\w)/g, '$1$2').match(/[a-z']+/g) ?? [];
  if (words.length === 0) return true;
  if (words.length > 4) return false;
  return words.every((w) => BACKCHANNEL_WORDS.has(w.replace(/'/g, '')));
}
