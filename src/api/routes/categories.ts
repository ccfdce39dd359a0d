import { Router } from 'express';
import { categories } from '../../knowledge/categories.js';

/** `GET /api/categories`: the 18 knowledge categories (key, title, description, example questions), in order. */
export function categoryRoutes(): Router {
  const router = Router();
  const body = { categories: categories.map(({ key, title, description, examples }) => ({ key, title, description, examples })) };
  router.get('/', (_req, res) => {
    res.json(body);
  });
  return router;
}
