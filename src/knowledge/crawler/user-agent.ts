/**
 * How the crawler introduces itself. The product token (before the slash) is what robots.txt
 * `User-agent:` lines and `<meta name="voiceagentbot">` address.
 */
export const USER_AGENT_TOKEN = 'VoiceAgentBot';
// No public homepage to point at: a self-hosted install crawls on behalf of the site's owner.
export const DEFAULT_USER_AGENT = `${USER_AGENT_TOKEN}/0.1 (self-hosted voice agent; crawls a business's site at its owner's request)`;

/** The product token of a user-agent string, lower-cased (robots.txt matching is case-insensitive). */
export function userAgentToken(userAgent: string): string {
  return (userAgent.split('/')[0] ?? userAgent).trim().toLowerCase();
}
