/**
 * The crawl frontier: URLs waiting, in discovery order (breadth-first), and per-host politeness:
 * at most `perHost` requests in flight to one host, one while its robots.txt is still unknown
 * (the first request loads it), and one at a time spaced by Crawl-delay when robots.txt sets one.
 */
export interface QueueItem {
  url: string;
  depth: number;
  /** A hash route (`#/about`): only a browser can show it. */
  render: boolean;
}

interface HostState {
  active: number;
  lastStart: number;
  delayMs: number;
  robotsKnown: boolean;
}

export class Frontier {
  private readonly queue: QueueItem[] = [];
  private readonly hosts = new Map<string, HostState>();

  constructor(private readonly perHost: number) {}

  get size(): number {
    return this.queue.length;
  }

  push(item: QueueItem): void {
    this.queue.push(item);
  }

  /** Politeness for a host once its robots.txt is known. */
  setRobots(host: string, crawlDelayMs: number): void {
    const h = this.host(host);
    h.robotsKnown = true;
    h.delayMs = crawlDelayMs;
  }

  /**
   * The first waiting item whose host may be asked now (marked started), or how long until one
   * may be (Infinity when every waiting host is busy: a finishing request frees it).
   */
  take(now = Date.now()): { item: QueueItem } | { waitMs: number } {
    let waitMs = Infinity;
    for (let i = 0; i < this.queue.length; i++) {
      const item = this.queue[i]!;
      const h = this.host(hostOf(item.url));
      const limit = !h.robotsKnown || h.delayMs > 0 ? 1 : this.perHost;
      if (h.active >= limit) continue;
      const readyAt = h.lastStart + h.delayMs;
      if (readyAt > now) {
        waitMs = Math.min(waitMs, readyAt - now);
        continue;
      }
      this.queue.splice(i, 1);
      h.active++;
      h.lastStart = now;
      return { item };
    }
    return { waitMs };
  }

  /** A taken item finished (whatever the outcome). */
  finish(item: QueueItem): void {
    const h = this.host(hostOf(item.url));
    h.active = Math.max(0, h.active - 1);
  }

  /** Everything still waiting, removed: the crawl stopped early. */
  drain(): QueueItem[] {
    return this.queue.splice(0);
  }

  private host(host: string): HostState {
    let h = this.hosts.get(host);
    if (!h) {
      h = { active: 0, lastStart: 0, delayMs: 0, robotsKnown: false };
      this.hosts.set(host, h);
    }
    return h;
  }
}

export function hostOf(url: string): string {
  return new URL(url).host;
}
