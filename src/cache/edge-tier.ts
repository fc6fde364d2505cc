/**
 * The edge tier: the Workers Cache API (`caches.default`), one cache per data
 * centre. It stores only GET requests, and our API is mostly POST, so entries
 * live under a synthetic GET request whose URL is the cache key on a host that
 * never resolves (nothing outside the Worker can ask for it). The entry is the
 * JSON payload text with `Cache-Control: public, max-age=<ttlSec>`, which the
 * Cache API requires to store it and uses to expire it.
 *
 * The Cache API is local to the data centre and has no timeout option; its
 * failures are reported to `onError` and read as misses (fail open).
 */

export const EDGE_CACHE_ORIGIN = 'https://cache.astro-engine-edge.internal';

export class EdgeTier {
  constructor(
    private readonly cache: Cache,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** The synthetic GET request an entry is stored under (keys are `[a-z0-9:-]`, valid in a path as they are). */
  static requestFor(key: string): Request {
    return new Request(`${EDGE_CACHE_ORIGIN}/${key}`, { method: 'GET' });
  }

  async get(key: string): Promise<string | null> {
    try {
      const res = await this.cache.match(EdgeTier.requestFor(key));
      return res ? await res.text() : null;
    } catch (err) {
      this.onError(err);
      return null;
    }
  }

  async put(key: string, payload: string, ttlSec: number): Promise<void> {
    const res = new Response(payload, {
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': `public, max-age=${ttlSec}` },
    });
    try {
      await this.cache.put(EdgeTier.requestFor(key), res);
    } catch (err) {
      this.onError(err);
    }
  }
}
