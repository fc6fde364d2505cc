/**
 * From a validated chart request to the core's input, and back to `meta`.
 * Time is normalised here, once, at the edge of the core.
 */
import type { SwissEphemeris } from '../engine/swisseph';
import type { NatalChart, NatalInput } from '../core/natal';
import { resolveTime, type ResolvedTime } from '../core/time';
import { SERVICE_VERSION } from '../version';
import type { ChartRequest } from './schemas';

export interface ResolvedChartRequest {
  time: ResolvedTime;
  input: NatalInput;
}

export function resolveChartRequest(req: ChartRequest): ResolvedChartRequest {
  const time = resolveTime({ datetime: req.datetime, timezone: req.timezone, utcOffset: req.utcOffset });
  return {
    time,
    input: {
      jdUt: time.jdUt,
      latDeg: req.latitude,
      lonDeg: req.longitude,
      settings: { ayanamsa: req.ayanamsa, node: req.node, houseSystem: req.houseSystem, profile: req.profile },
    },
  };
}

/**
 * The part of a chart request a calculation depends on: the instant (not how
 * the caller spelt it), the place and the settings. Equivalent requests
 * (`+05:30` or `Asia/Kolkata`, any field order) give the same key input.
 */
export function chartKeyInput(resolved: ResolvedChartRequest) {
  const { latDeg, lonDeg, settings } = resolved.input;
  return { utc: resolved.time.utc, latDeg, lonDeg, settings };
}

export function engineLabel(engine: SwissEphemeris): string {
  return `astro-engine-edge/${SERVICE_VERSION} swisseph/${engine.version} (wasm32)`;
}

export function chartMeta(resolved: ResolvedChartRequest, chart: Pick<NatalChart, 'ayanamsaDeg' | 'ephemeris'>, engine: SwissEphemeris) {
  const { time, input } = resolved;
  return {
    utc: time.utc,
    utcOffset: time.utcOffset,
    timezone: time.timezone,
    jdUt: time.jdUt,
    latitude: input.latDeg,
    longitude: input.lonDeg,
    ...input.settings,
    ayanamsaDeg: chart.ayanamsaDeg,
    ephemeris: chart.ephemeris,
    engine: engineLabel(engine),
  };
}
