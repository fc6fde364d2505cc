/**
 * Errors the pure core raises for input it cannot honour. The HTTP layer maps
 * them to 4xx responses; the core itself knows nothing about HTTP.
 */

/** A request field that is well-formed but cannot be used (e.g. a time inside a DST gap). */
export class InputError extends Error {
  override readonly name = 'InputError';
  /** Stable machine-readable code, e.g. `nonexistent_local_time`. */
  readonly code: string;
  /** Field path in the request, dot-separated, e.g. `datetime`. */
  readonly path: string;

  constructor(code: string, path: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.path = path;
  }
}

/** The ephemeris engine failed on input that passed validation. */
export class EngineError extends Error {
  override readonly name = 'EngineError';
  readonly code = 'calculation_failed';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
