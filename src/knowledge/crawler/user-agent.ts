/**
 * How the crawler introduces itself. The product token (before the slash) is what robots.txt
 * `User-agent:` lines and `<meta name="voiceagentbot">` address.
 */
export const USER_AGENT_TOKEN = 'VoiceAgentBot';
export const DEFAULT_USER_AGENT = `${USER_AGENT_TOKEN}/0.1 (+https://github.com/voice-agent-server/voice-agent-server)`;

/** The product token of a user-agent string, lower-cased (robots.txt matching is case-insensitive). */
export function userAgentToken(userAgent: string): string {
  return (userAgent.split('/')[0] ?? userAgent).trim().toLowerCase();
}
