/** A `dashas` bulk item gives exactly the body of `POST /v1/dashas/{system}`, and its errors as the sync route names them. */
import { describe, expect, it } from 'vitest';
import { CHENNAI, get, post, waitForJob } from './support';

describe('bulk item type dashas', () => {
  it('computes the sync route\'s body, and reports a bad system / missing window per item', async () => {
    const input = { ...CHENNAI, levels: 2, yearDays: 365.256364 };
    const items = [
      { id: 'v', type: 'dashas', input: { system: 'vimshottari', ...input } },
      { id: 'y', type: 'dashas', input: { system: 'yogini', ...input, at: '2026-01-01T00:00:00Z' } },
      { id: 'bad-window', type: 'dashas', input: { system: 'vimshottari', ...CHENNAI, levels: 5 } },
    ];
    const res = await post('/v1/bulk', { items });
    expect(res.status).toBe(202);
    const { jobId }: any = await res.json();
    expect(await waitForJob(jobId)).toMatchObject({ status: 'completed_with_errors', succeeded: 2, failed: 1 });
    const page: any = await (await get(`/v1/bulk/${jobId}/results`)).json();
    const byId = Object.fromEntries(page.items.map((r: any) => [r.id, r]));
    for (const [id, system, extra] of [['v', 'vimshottari', {}], ['y', 'yogini', { at: '2026-01-01T00:00:00Z' }]] as const) {
      const sync = await post(`/v1/dashas/${system}`, { ...input, ...extra });
      expect(sync.status).toBe(200);
      expect(byId[id].result).toEqual(await sync.json());
    }
    expect(byId['bad-window'].error).toMatchObject({ code: 'dasha_window_required' });
  });

  it('refuses an unknown system when the job is created', async () => {
    const res = await post('/v1/bulk', { items: [{ id: 'x', type: 'dashas', input: { system: 'nonesuch', ...CHENNAI } }] });
    expect(res.status).toBe(422);
    expect(JSON.stringify(await res.json())).toContain('system');
  });
});
