/**
 * The old service's `POST /batch/calculate`, synchronous, up to 10 requests.
 * ASSUMED shape (the old service's batch contract is not in our records):
 *
 *   { "requests": [ { …the old body…, "chart_type": "<old route name>", "ayanamsa"?: "lahiri" | "raman" } ] }
 *   → { "results": [ …the envelope that route returns… ] }   (same order)
 *
 * `chart_type` is the last path segment of the old route (`natal`, `navamsa`,
 * `calculate_d10`, `transit`, `shodasha_varga_summary`, … under lahiri;
 * `navamsha_d9`, `shodasha_varga_signs`, … under raman); `ayanamsa` picks the
 * prefix (default lahiri). Every request is checked before any is computed;
 * one bad request fails the batch with the old 400 (its path names the index).
 */
import { z } from '@hono/zod-openapi';
import { LegacyRequestSchema, type LegacyAyanamsa } from '../compat/legacy';
import type { SwissEphemeris } from '../engine/swisseph';
import { AppError, ValidationError, toAppError } from '../http/errors';
import { LEGACY_ROUTES, legacyPlan, type LegacyPlan } from '../routes/legacy';

export const LEGACY_BATCH_MAX_REQUESTS = 10;

export const LegacyBatchRequestSchema = z
  .object({
    requests: z
      .array(
        LegacyRequestSchema.extend({
          chart_type: z.string().min(1).max(64).openapi({ description: 'The old route name, e.g. natal, navamsa, calculate_d10', example: 'navamsa' }),
          ayanamsa: z.enum(['lahiri', 'raman']).optional().openapi({ description: 'Which old route prefix (default lahiri)' }),
        }),
      )
      .min(1)
      .max(LEGACY_BATCH_MAX_REQUESTS),
  })
  .openapi('LegacyBatchRequest');
export type LegacyBatchRequest = z.infer<typeof LegacyBatchRequestSchema>;

/** Prefixes a request's own error with its place in the batch. */
function inBatch(err: unknown, index: number): unknown {
  const known = toAppError(err);
  if (!known || known.status >= 500) return err;
  const details = (known.details ?? []).map((d) => ({ path: `requests.${index}.${d.path}`, message: d.message }));
  return new AppError(known.status, known.code, `requests.${index}: ${known.message}`, details, { cause: err });
}

export function legacyBatch(engine: SwissEphemeris, body: LegacyBatchRequest, nowMs: number): { results: Record<string, unknown>[] } {
  const plans: LegacyPlan[] = body.requests.map((req, index) => {
    const ayanamsa: LegacyAyanamsa = req.ayanamsa ?? 'lahiri';
    const kind = Object.hasOwn(LEGACY_ROUTES[ayanamsa], req.chart_type) ? LEGACY_ROUTES[ayanamsa][req.chart_type] : undefined;
    if (!kind) {
      const known = Object.keys(LEGACY_ROUTES[ayanamsa]).join(', ');
      throw new ValidationError([{ path: `requests.${index}.chart_type`, message: `unknown chart_type '${req.chart_type}' for ${ayanamsa}; choose one of ${known}` }]);
    }
    try {
      return legacyPlan(engine, ayanamsa, kind, req, nowMs);
    } catch (err) {
      throw inBatch(err, index);
    }
  });
  return { results: plans.map((plan) => plan.render(plan.compute())) };
}
