/** The website crawler: what the rest of the server imports. */
export * from './crawl-types.js';
export { crawlSite } from './crawler.js';
export { ChromiumRenderer, RenderError, findChromium, type ChromiumRendererOptions } from './renderer.js';
export { AddressGuard, AddressRefusedError, forbiddenRange } from './address-guard.js';
export { normaliseUrl, isSameSite, siteKey, isHashRoute } from './url-policy.js';
export { DEFAULT_USER_AGENT } from './user-agent.js';
