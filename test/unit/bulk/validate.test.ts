/** Validation of a mixed batch: every invalid item reported at once, with the sync routes' own messages and codes. */
import { describe, expect, it } from 'vitest';
import { MAX_LISTED_INVALID_ITEMS } from '../../../src/bulk/policy';
import { validateBulkItems } from '../../../src/bulk/validate';
import { nodeEngine } from '../../support/node-engine';
import { CHENNAI } from './support';

const NOW_MS = Date.parse('2026-11-29T00:00:00Z');
const AT = '2026-01-01T00:00:00Z';

const MIXED: unknown[] = [
  { id: 'ok-natal', type: 'natal', input: CHENNAI },
  { id: 'lat', type: 'natal', input: { ...CHENNAI, latitude: 91 } },
  { id: 'div', type: 'divisional', input: { ...CHENNAI, divisions: ['D9', 'D13'], methods: { D9: 'rath' } } },
  { id: 'no-at', type: 'transits', input: CHENNAI },
  { id: 'gap', type: 'natal', input: { ...CHENNAI, datetime: '2021-03-14T02:30:00', timezone: 'America/New_York' } },
  { id: 'type', type: 'dasha', input: CHENNAI },
  { type: 'natal', input: CHENNAI },
  { id: 'typo', type: 'natal', input: { datetime: CHENNAI.datetime, timezone: CHENNAI.timezone, latitute: 13, longitude: 80 } },
  { id: 'ok-transits', type: 'transits', input: { ...CHENNAI, at: AT } },
  42,
  { id: 'extra', type: 'natal', input: CHENNAI, priority: 1 },
  { id: 'fold', type: 'transits', input: { ...CHENNAI, datetime: '2021-11-07T01:30:00', timezone: 'America/New_York', at: '2026-01-01T00:00:00' } },
];

describe('validateBulkItems', () => {
  it('lists each bad item with its index, id and exact errors', () => {
    const outcome = validateBulkItems(nodeEngine(), MIXED, NOW_MS);
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.invalidCount).toBe(10);
    const v = 'validation_error';
    expect(outcome.invalid).toEqual([
      { index: 1, id: 'lat', errors: [{ path: 'input.latitude', message: 'Too big: expected number to be <=90', code: v }] },
      {
        index: 2,
        id: 'div',
        errors: [{ path: 'input.divisions.1', message: "unknown division 'D13'; choose one of D1, D2, D3, D4, D5, D6, D7, D8, D9, D10, D11, D12, D16, D20, D24, D27, D30, D40, D45, D60", code: v }],
      },
      { index: 3, id: 'no-at', errors: [{ path: 'input.at', message: "required in bulk jobs (a queued job has no single 'now'): give an instant, e.g. 2026-01-01T00:00:00Z", code: v }] },
      {
        index: 4,
        id: 'gap',
        errors: [
          {
            path: 'input.datetime',
            message: '2021-03-14T02:30:00 does not exist in America/New_York: clocks jumped from -05:00 to -04:00; give utcOffset or an offset in datetime',
            code: 'nonexistent_local_time',
          },
        ],
      },
      { index: 5, id: 'type', errors: [{ path: 'type', message: 'Invalid option: expected one of "natal"|"divisional"|"transits"|"dashas"|"panchang"|"panchang_calendar"', code: v }] },
      { index: 6, id: null, errors: [{ path: 'id', message: 'Invalid input: expected string, received undefined', code: v }] },
      {
        index: 7,
        id: 'typo',
        errors: [
          { path: 'input.latitude', message: 'Invalid input: expected number, received undefined', code: v },
          { path: 'input.latitute', message: "unknown field 'latitute'; did you mean 'latitude'?", code: v },
        ],
      },
      { index: 9, id: null, errors: [{ path: '', message: 'expected an object { id, type, input }', code: v }] },
      { index: 10, id: 'extra', errors: [{ path: 'priority', message: "unknown field 'priority'", code: v }] },
      { index: 11, id: 'fold', errors: [{ path: 'input.at', message: "'at' must be an instant with Z or an offset, e.g. 2026-01-01T00:00:00Z", code: 'invalid_instant' }] },
    ]);
    expect(outcome.details.slice(0, 3)).toEqual([
      { path: 'items.1.input.latitude', message: 'Too big: expected number to be <=90' },
      { path: 'items.2.input.divisions.1', message: expect.stringMatching(/^unknown division 'D13'/) },
      { path: 'items.3.input.at', message: expect.stringMatching(/^required in bulk jobs/) },
    ]);
    expect(outcome.details).toContainEqual({ path: 'items.9', message: 'expected an object { id, type, input }' });
  });

  it('passes valid items through unchanged, with their index', () => {
    const outcome = validateBulkItems(nodeEngine(), [MIXED[0], MIXED[8]], NOW_MS);
    expect(outcome).toEqual({
      ok: true,
      items: [
        { index: 0, id: 'ok-natal', type: 'natal', input: CHENNAI },
        { index: 1, id: 'ok-transits', type: 'transits', input: { ...CHENNAI, at: AT } },
      ],
    });
  });

  it('lists at most MAX_LISTED_INVALID_ITEMS items but counts them all', () => {
    const bad = Array.from({ length: MAX_LISTED_INVALID_ITEMS + 20 }, (_, i) => ({ id: `b${i}`, type: 'natal', input: { ...CHENNAI, longitude: 181 } }));
    const outcome = validateBulkItems(nodeEngine(), bad, NOW_MS);
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.invalidCount).toBe(MAX_LISTED_INVALID_ITEMS + 20);
    expect(outcome.invalid).toHaveLength(MAX_LISTED_INVALID_ITEMS);
    expect(outcome.details).toHaveLength(MAX_LISTED_INVALID_ITEMS);
  });
});
