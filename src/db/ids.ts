import { randomBytes } from 'node:crypto';

/** Opaque ids with a readable type prefix (`ag_…` is an agent), 96 random bits. */
export function newId(prefix: 'tn' | 'key' | 'ag' | 'pn' | 'call' | 'turn' | 'kn' | 'job' | 'msg' | 'wh'): string {
  return `${prefix}_${randomBytes(12).toString('base64url')}`;
}
