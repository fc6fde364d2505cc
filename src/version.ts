/** Service version; part of every response's `meta.engine` and, later, of cache keys. */
export const SERVICE_VERSION = '0.1.0';
