/**
 * A request field that names an instant (`at`, `from`, `to`): a wall time
 * without `Z` or an offset would be a silent guess, so it is refused.
 */
import { InputError } from '../core/errors';
import { resolveTime, type ResolvedTime } from '../core/time';

export function instantField(value: string, path: string): ResolvedTime {
  if (!/(Z|[+-]\d{2}:\d{2})$/.test(value)) {
    throw new InputError('invalid_instant', path, `'${path}' must be an instant with Z or an offset, e.g. 2026-01-01T00:00:00Z`);
  }
  try {
    return resolveTime({ datetime: value });
  } catch (err) {
    if (err instanceof InputError) throw new InputError(err.code, path, err.message.replace(/datetime/g, path), { cause: err });
    throw err;
  }
}
