import { desc, eq } from 'drizzle-orm';
import type { Db } from '../database.js';
import { auditLog } from '../schema.js';

export interface AuditEvent {
  tenantId: string | null;
  actor: string;
  action: string;
  targetType?: string;
  targetId?: string;
  details?: Record<string, unknown>;
}

export function auditQueries(db: Db) {
  return {
    record(event: AuditEvent): void {
      db.insert(auditLog).values(event).run();
    },
    forTenant(tenantId: string, limit = 100) {
      return db.select().from(auditLog).where(eq(auditLog.tenantId, tenantId)).orderBy(desc(auditLog.seq)).limit(limit).all();
    },
  };
}
