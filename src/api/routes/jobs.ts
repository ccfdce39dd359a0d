import { Router } from 'express';
import type { JobRow } from '../../db/queries/jobs.js';
import type { Services } from '../../services.js';
import { scopeOf } from '../auth.js';
import { notFound } from '../errors.js';

export const presentJob = (j: JobRow) => ({
  id: j.id,
  kind: j.kind,
  agentId: j.agentId,
  status: j.status,
  stage: j.stage,
  progress: j.progress,
  ...(j.error ? { error: j.error } : {}),
  ...(j.stats ? { stats: j.stats } : {}),
  createdAt: j.createdAt,
  startedAt: j.startedAt,
  finishedAt: j.finishedAt,
});

export function jobRoutes(_services: Services): Router {
  const router = Router();
  router.get('/:id', (req, res) => {
    const job = scopeOf(req).jobs.get(req.params.id);
    if (!job) throw notFound('job');
    res.json(presentJob(job));
  });
  return router;
}
