import type { Principal } from '../auth/authenticator.js';
import type { TenantScope } from '../db/tenant-scope.js';

// What the auth middleware learns about a request, available to the handlers after it.
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      principal?: Principal;
      scope?: TenantScope;
    }
  }
}

export {};
