import type { Context } from 'hono';
import { matchedRoutes } from 'hono/route';

/** Label for requests no route matched (404, 405): the raw path would be unbounded. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * The pattern of the route that answered (`/v1/charts/divisional/:division`),
 * never the raw path, for logs and metric labels. Middleware is registered
 * with method ALL, routes with their own method.
 */
export function routePatternOf(c: Context): string {
  try {
    const routes = matchedRoutes(c).filter((r) => r.method !== 'ALL');
    return routes.at(-1)?.path ?? UNMATCHED_ROUTE;
  } catch {
    return UNMATCHED_ROUTE;
  }
}
