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

const isFinished = (j: JobRow) => j.status === 'succeeded' || j.status === 'failed';

export function jobRoutes({ knowledge }: Services): Router {
  const router = Router();
  router.get('/:id', (req, res) => {
    const job = scopeOf(req).jobs.get(req.params.id);
    if (!job) throw notFound('job');
    res.json(presentJob(job));
  });

  /** The same job as server-sent events: the current state at once, then every change, then the end. */
  router.get('/:id/events', (req, res) => {
    const job = scopeOf(req).jobs.get(req.params.id);
    if (!job) throw notFound('job');
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    const send = (row: JobRow) => {
      res.write(`event: job\ndata: ${JSON.stringify(presentJob(row))}\n\n`);
      if (isFinished(row)) finish();
    };
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    const unsubscribe = knowledge.events.subscribe(job.id, send);
    const finish = () => {
      clearInterval(heartbeat);
      unsubscribe();
      res.end();
    };
    res.on('close', finish); // the client went away (req's own 'close' only means its body was read)
    send(job);
  });
  return router;
}
