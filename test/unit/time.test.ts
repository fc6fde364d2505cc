import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors';
import {
  formatUtcOffset,
  isValidTimeZone,
  parseUtcOffset,
  resolveTime,
  zoneOffsetSec,
  type TimeInput,
} from '../../src/core/time';

/** Runs resolveTime expecting an InputError; returns it so callers can check the message. */
function expectInputError(input: TimeInput, code: string, path: string): InputError {
  let caught: unknown;
  try {
    resolveTime(input);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(InputError);
  const error = caught as InputError;
  expect(error.code).toBe(code);
  expect(error.path).toBe(path);
  return error;
}

describe('resolveTime: historical and unusual zone offsets', () => {
  it('uses Indian war time +06:30 in Asia/Kolkata, June 1943', () => {
    const r = resolveTime({ datetime: '1943-06-15T12:00', timezone: 'Asia/Kolkata' });
    expect(r.utcOffset).toBe('+06:30');
    expect(r.utcOffsetSec).toBe(23_400);
    expect(r.utc).toBe('1943-06-15T05:30:00Z');
  });

  it('keeps British Summer Time +01:00 through the winter of 1940 in Europe/London', () => {
    const r = resolveTime({ datetime: '1940-10-09T12:00', timezone: 'Europe/London' });
    expect(r.utcOffset).toBe('+01:00');
    expect(r.utc).toBe('1940-10-09T11:00:00Z');
  });

  it('uses Madras local mean time +05:21:10 in Asia/Kolkata, 1890', () => {
    const r = resolveTime({ datetime: '1890-01-01T12:00:00', timezone: 'Asia/Kolkata' });
    expect(r.utcOffset).toBe('+05:21:10');
    expect(r.utcOffsetSec).toBe(19_270);
    expect(r.utc).toBe('1890-01-01T06:38:50Z');
  });

  it('uses +05:45 in Asia/Kathmandu', () => {
    const r = resolveTime({ datetime: '2000-06-01T12:00', timezone: 'Asia/Kathmandu' });
    expect(r.utcOffset).toBe('+05:45');
    expect(r.utc).toBe('2000-06-01T06:15:00Z');
  });

  it('follows southern-hemisphere DST in Australia/Sydney (summer +11:00, winter +10:00)', () => {
    const summer = resolveTime({ datetime: '2024-01-15T12:00', timezone: 'Australia/Sydney' });
    const winter = resolveTime({ datetime: '2024-07-15T12:00', timezone: 'Australia/Sydney' });
    expect(summer.utcOffset).toBe('+11:00');
    expect(summer.utc).toBe('2024-01-15T01:00:00Z');
    expect(winter.utcOffset).toBe('+10:00');
    expect(winter.utc).toBe('2024-07-15T02:00:00Z');
  });
});

describe('resolveTime: DST gaps and folds', () => {
  it('rejects a wall time inside the spring-forward gap', () => {
    const err = expectInputError(
      { datetime: '2021-03-14T02:30', timezone: 'America/New_York' },
      'nonexistent_local_time',
      'datetime',
    );
    expect(err.message).toContain('-05:00');
    expect(err.message).toContain('-04:00');
  });

  it('rejects a wall time inside the fall-back fold as ambiguous', () => {
    const err = expectInputError(
      { datetime: '2021-11-07T01:30', timezone: 'America/New_York' },
      'ambiguous_local_time',
      'datetime',
    );
    expect(err.message).toContain('-04:00');
    expect(err.message).toContain('-05:00');
  });

  it('resolves the fold with an explicit offset, one hour apart', () => {
    const first = resolveTime({ datetime: '2021-11-07T01:30:00-04:00', timezone: 'America/New_York' });
    const second = resolveTime({ datetime: '2021-11-07T01:30', utcOffset: '-05:00', timezone: 'America/New_York' });
    expect(first.utc).toBe('2021-11-07T05:30:00Z');
    expect(second.utc).toBe('2021-11-07T06:30:00Z');
    expect(first.timezone).toBe('America/New_York');
    // A double near JD 2.45e6 resolves ~4.7e-10 day (~40 µs), so compare to 1e-9 day.
    expect(second.jdUt - first.jdUt).toBeCloseTo(1 / 24, 9);
  });
});

describe('resolveTime: offsets', () => {
  it('gives the same instant for utcOffset +05:30 and Asia/Kolkata', () => {
    const byOffset = resolveTime({ datetime: '1996-12-07T10:34:00', utcOffset: '+05:30' });
    const byZone = resolveTime({ datetime: '1996-12-07T10:34:00', timezone: 'Asia/Kolkata' });
    expect(byOffset.utc).toBe('1996-12-07T05:04:00Z');
    expect(byZone.utc).toBe('1996-12-07T05:04:00Z');
    expect(byZone.jdUt).toBe(byOffset.jdUt);
    expect(byOffset.jdUt).toBeCloseTo(2450424.7111111, 7);
    expect(byOffset.timezone).toBeNull();
    expect(byZone.timezone).toBe('Asia/Kolkata');
  });

  it('takes a datetime ending in Z as the instant', () => {
    const r = resolveTime({ datetime: '1996-12-07T05:04:00Z' });
    expect(r.utc).toBe('1996-12-07T05:04:00Z');
    expect(r.utcOffset).toBe('+00:00');
    expect(r.utcOffsetSec).toBe(0);
  });

  it('keeps milliseconds only when the input had fractional seconds', () => {
    expect(resolveTime({ datetime: '1996-12-07T05:04:00.25Z' }).utc).toBe('1996-12-07T05:04:00.250Z');
    expect(resolveTime({ datetime: '1996-12-07T05:04Z' }).utc).toBe('1996-12-07T05:04:00Z');
  });

  it('gives the J2000 epoch as jdUt 2451545.0 exactly', () => {
    expect(resolveTime({ datetime: '2000-01-01T12:00:00Z' }).jdUt).toBe(2451545.0);
  });

  it('rejects an offset that disagrees with the zone (offset_mismatch)', () => {
    const err = expectInputError(
      { datetime: '2021-07-01T12:00', utcOffset: '-05:00', timezone: 'America/New_York' },
      'offset_mismatch',
      'timezone',
    );
    expect(err.message).toContain('-05:00');
    expect(err.message).toContain('-04:00');
  });

  it('rejects utcOffset that contradicts the offset in datetime (conflicting_offset)', () => {
    expectInputError({ datetime: '2021-07-01T12:00+05:30', utcOffset: '+05:45' }, 'conflicting_offset', 'utcOffset');
  });

  it('accepts utcOffset equal to the offset in datetime', () => {
    expect(resolveTime({ datetime: '2021-07-01T12:00+05:30', utcOffset: '+05:30' }).utc).toBe('2021-07-01T06:30:00Z');
  });

  it('rejects a malformed utcOffset', () => {
    expectInputError({ datetime: '2021-07-01T12:00', utcOffset: '5:30' }, 'invalid_utc_offset', 'utcOffset');
    expectInputError({ datetime: '2021-07-01T12:00', utcOffset: '+15:00' }, 'invalid_utc_offset', 'utcOffset');
  });
});

describe('resolveTime: datetime validation', () => {
  it.each([
    ['2023-02-29T12:00', 'February 2023 has 28 days'],
    ['2023-13-01T12:00', 'month 13'],
    ['2023-01-01T10:61', 'minute 61'],
    ['2023-01-01T24:00', 'hour 24'],
    ['2023-01-01T10:00:60', 'second 60'],
    ['0999-01-01T10:00', 'year 0999'],
    ['2023-01-01 10:00', 'not an ISO-8601'],
    ['2023-1-01T10:00', 'not an ISO-8601'],
  ])('rejects %s', (datetime, messagePart) => {
    const err = expectInputError({ datetime, utcOffset: '+00:00' }, 'invalid_datetime', 'datetime');
    expect(err.message).toContain(messagePart);
  });

  it('accepts the leap day 2024-02-29', () => {
    expect(resolveTime({ datetime: '2024-02-29T12:00', utcOffset: '+00:00' }).utc).toBe('2024-02-29T12:00:00Z');
  });
});

describe('resolveTime: timezone field', () => {
  it('rejects an unknown zone', () => {
    expectInputError({ datetime: '2021-07-01T12:00', timezone: 'Mars/Olympus_Mons' }, 'unknown_timezone', 'timezone');
  });

  it('rejects an offset passed as timezone and points to utcOffset', () => {
    const err = expectInputError({ datetime: '2021-07-01T12:00', timezone: '+05:30' }, 'unknown_timezone', 'timezone');
    expect(err.message).toContain('utcOffset');
    expectInputError({ datetime: '2021-07-01T12:00', timezone: 'GMT+5' }, 'unknown_timezone', 'timezone');
  });

  it('refuses to assume UTC when no zone or offset is given', () => {
    expectInputError({ datetime: '2021-07-01T12:00' }, 'missing_timezone', 'timezone');
  });
});

describe('helpers', () => {
  it('parses and formats offsets, including seconds', () => {
    expect(parseUtcOffset('+05:30')).toBe(19_800);
    expect(parseUtcOffset('-03:00')).toBe(-10_800);
    expect(parseUtcOffset('+05:21:10')).toBe(19_270);
    expect(parseUtcOffset('+14:00')).toBe(50_400);
    expect(parseUtcOffset('+14:01')).toBeNull();
    expect(parseUtcOffset('+05:60')).toBeNull();
    expect(parseUtcOffset('0530')).toBeNull();
    expect(formatUtcOffset(19_800)).toBe('+05:30');
    expect(formatUtcOffset(-10_800)).toBe('-03:00');
    expect(formatUtcOffset(0)).toBe('+00:00');
    expect(formatUtcOffset(19_270)).toBe('+05:21:10');
  });

  it('validates zone names', () => {
    expect(isValidTimeZone('Asia/Kolkata')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Nowhere/Special')).toBe(false);
    expect(isValidTimeZone('+05:30')).toBe(false);
    expect(isValidTimeZone('UTC+05:30')).toBe(false);
  });

  it('reads zone offsets from Intl, including zero', () => {
    expect(zoneOffsetSec('UTC', Date.UTC(2000, 0, 1))).toBe(0);
    expect(zoneOffsetSec('America/Sao_Paulo', Date.UTC(2023, 0, 1))).toBe(-10_800);
    expect(zoneOffsetSec('Asia/Kathmandu', Date.UTC(2000, 0, 1))).toBe(20_700);
  });
});
