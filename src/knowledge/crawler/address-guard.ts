/**
 * Address guard: a URL pasted by a tenant must not make the server fetch its own loopback, the
 * VM's private network or the cloud metadata service (SSRF). The check runs on the address the
 * socket actually connects to: our `lookup` hook resolves the name, checks every answer and hands
 * Node only checked addresses, so a DNS answer cannot change between the check and the connect
 * (DNS rebinding). IP-literal hosts never reach `lookup`, so they are checked before connecting.
 */
import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import type { ResolveHost } from './crawl-types.js';
import { ipLiteral } from './url-policy.js';

/** Error code carried by refusals, so the fetcher can classify them as `private_address`. */
export const PRIVATE_ADDRESS = 'EPRIVATEADDRESS';

/** IPv6 ranges that embed an IPv4 address: judged by the embedded address. */
const EMBEDS_IPV4 = new Set(['ipv4Mapped', 'rfc6145', 'rfc6052', '6to4']);

/**
 * Why an address is refused, or null when it is public unicast. Everything ipaddr.js files under a
 * special range is refused: loopback, private, link-local (incl. 169.254.169.254 metadata), CGNAT,
 * multicast, broadcast, unspecified, reserved, unique-local IPv6, Teredo, and IPv4-mapped/NAT64/6to4
 * forms of refused IPv4 addresses.
 */
export function forbiddenRange(address: string): string | null {
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    ip = ipaddr.parse(address.replace(/%.*$/, '')); // zone ids (fe80::1%eth0) are link-local anyway
  } catch {
    return 'unparsable';
  }
  if (ip.kind() === 'ipv6') {
    const v6 = ip as ipaddr.IPv6;
    const range = v6.range();
    if (EMBEDS_IPV4.has(range)) {
      const embedded = embeddedIpv4(v6, range);
      const inner = embedded.range();
      return inner === 'unicast' ? null : `${range}:${inner}`;
    }
    // fec0::/10 site-local is deprecated but still private in effect.
    return range === 'unicast' ? null : range;
  }
  const range = ip.range();
  return range === 'unicast' ? null : range;
}

function embeddedIpv4(v6: ipaddr.IPv6, range: string): ipaddr.IPv4 {
  const b = v6.toByteArray();
  // 6to4 (2002:AABB:CCDD::/48) carries it in bytes 2..5; the others in the last four bytes.
  const o = range === '6to4' ? 2 : 12;
  return new ipaddr.IPv4([b[o]!, b[o + 1]!, b[o + 2]!, b[o + 3]!]);
}

export interface AddressGuardOptions {
  allowPrivate: boolean;
  resolve?: ResolveHost;
  allowAddresses?: string[];
}

export class AddressRefusedError extends Error {
  readonly code = PRIVATE_ADDRESS;
  constructor(
    readonly host: string,
    readonly address: string,
    readonly range: string,
  ) {
    super(`${host} resolves to ${address} (${range}), which the crawler does not fetch`);
  }
}

const defaultResolve: ResolveHost = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

export class AddressGuard {
  private readonly allow: Set<string>;
  private readonly resolveHost: ResolveHost;

  constructor(private readonly options: AddressGuardOptions) {
    this.allow = new Set((options.allowAddresses ?? []).map(canonicalIp));
    this.resolveHost = options.resolve ?? defaultResolve;
  }

  get allowPrivate(): boolean {
    return this.options.allowPrivate;
  }

  /** Throws AddressRefusedError when the address may not be connected to. */
  checkAddress(host: string, address: string): void {
    if (this.options.allowPrivate || this.allow.has(canonicalIp(address))) return;
    const range = forbiddenRange(address);
    if (range) throw new AddressRefusedError(host, address, range);
  }

  /** Checks an IP-literal host before connecting (names are checked in `lookup`). */
  checkHost(hostname: string): void {
    const ip = ipLiteral(hostname);
    if (ip) this.checkAddress(hostname, ip);
  }

  /**
   * Resolves and checks. An answer with any refused address is refused as a whole: a name that
   * mixes public and private answers is either misconfigured or a rebinding attempt.
   */
  async resolve(hostname: string): Promise<Array<{ address: string; family: number }>> {
    const ip = ipLiteral(hostname);
    if (ip) {
      this.checkAddress(hostname, ip);
      return [{ address: ip, family: ip.includes(':') ? 6 : 4 }];
    }
    const answers = await this.resolveHost(hostname);
    if (answers.length === 0) throw Object.assign(new Error(`${hostname} has no addresses`), { code: 'ENOTFOUND' });
    for (const a of answers) this.checkAddress(hostname, a.address);
    return answers;
  }

  /** A `lookup` for http(s).request / net.connect: Node connects only to what it returns. */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    this.resolve(hostname).then(
      (answers) => {
        const wanted = options.family === 4 || options.family === 6 ? answers.filter((a) => a.family === options.family) : answers;
        if (wanted.length === 0) {
          callback(Object.assign(new Error(`${hostname} has no IPv${options.family} address`), { code: 'ENOTFOUND' }), '', 0);
        } else if (options.all) {
          (callback as unknown as (err: null, addresses: Array<{ address: string; family: number }>) => void)(null, wanted);
        } else {
          callback(null, wanted[0]!.address, wanted[0]!.family);
        }
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}

function canonicalIp(address: string): string {
  try {
    return ipaddr.process(address).toString();
  } catch {
    return address;
  }
}
