/** Speech in, text out. Audio is one utterance of 16 kHz mono PCM16, as the VAD cut it. */
export interface SpeechToText {
  readonly name: string;
  transcribe(audio: Int16Array, options: { signal: AbortSignal; language?: string }): Promise<{ text: string }>;
}
