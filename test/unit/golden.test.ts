/**
 * Golden tests: our pure core on the WebAssembly build against the native Swiss
 * Ephemeris (Debian's swetest 2.10.03). Fixtures: test/fixtures/golden/, regenerate
 * with `npm run fixtures` (see the README there).
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { computeNatal, type Planet } from '../../src/core/natal';
import { AYANAMSAS, HOUSE_SYSTEMS, NODE_TYPES, PROFILES, type ChartSettings } from '../../src/core/settings';
import { nodeEngine } from '../support/node-engine';

/** Agreement required for every longitude, latitude, speed (per day), cusp and ayanamsa. */
const maxArcsec = 0.001;
const MIN_CHARTS = 50;
const MIN_HOUSE_SYSTEMS = 4;

interface GoldenBody {
  lonDeg: number;
  latDeg: number;
  speedDegPerDay: number;
}

type SwetestBody = 'Sun' | 'Moon' | 'Mercury' | 'Venus' | 'Mars' | 'Jupiter' | 'Saturn' | 'Uranus' | 'Neptune' | 'Pluto' | 'node';

interface GoldenChart {
  jdUt: number;
  latDeg: number;
  lonDeg: number;
  settings: ChartSettings;
  swetest: { planetsCommand: string; housesCommand: string };
  expected: {
    ayanamsaDeg: number;
    bodies: Record<SwetestBody, GoldenBody>;
    ascendantDeg: number;
    cuspsDeg: number[];
  };
}

interface GoldenFixture {
  seed: number;
  swetestVersion: string;
  charts: GoldenChart[];
}

const fixturePath = new URL('../fixtures/golden/swetest-charts.json', import.meta.url);
const fixture = JSON.parse(readFileSync(fixturePath, 'utf8')) as GoldenFixture;
const charts = fixture.charts;

/** Swetest body for each of our planets; Rahu and Ketu both derive from the node. */
const SOURCE: Record<Planet, SwetestBody> = {
  Sun: 'Sun',
  Moon: 'Moon',
  Mars: 'Mars',
  Mercury: 'Mercury',
  Jupiter: 'Jupiter',
  Venus: 'Venus',
  Saturn: 'Saturn',
  Rahu: 'node',
  Ketu: 'node',
  Uranus: 'Uranus',
  Neptune: 'Neptune',
  Pluto: 'Pluto',
};

/** Difference of two angles in arcseconds, taking the short way round the circle. */
function angleDiffArcsec(actualDeg: number, expectedDeg: number): number {
  const d = ((((actualDeg - expectedDeg) % 360) + 540) % 360) - 180;
  return Math.abs(d) * 3600;
}

/** Plain difference in arcseconds (latitudes, speeds per day). */
function diffArcsec(actual: number, expected: number): number {
  return Math.abs(actual - expected) * 3600;
}

type Quantity = 'longitude' | 'latitude' | 'speed' | 'ascendant' | 'cusp' | 'ayanamsa';
const worst: Record<Quantity, { arcsec: number; where: string }> = {
  longitude: { arcsec: 0, where: '' },
  latitude: { arcsec: 0, where: '' },
  speed: { arcsec: 0, where: '' },
  ascendant: { arcsec: 0, where: '' },
  cusp: { arcsec: 0, where: '' },
  ayanamsa: { arcsec: 0, where: '' },
};

function label(c: GoldenChart): string {
  const s = c.settings;
  return `jd ${c.jdUt} lat ${c.latDeg} lon ${c.lonDeg} ${s.ayanamsa}/${s.node} node/${s.houseSystem}/${s.profile}`;
}

describe('golden fixture', () => {
  it(`has at least ${MIN_CHARTS} charts covering every setting`, () => {
    expect(charts.length).toBeGreaterThanOrEqual(MIN_CHARTS);
    const seen = (key: keyof ChartSettings) => new Set(charts.map((c) => c.settings[key]));
    expect([...seen('ayanamsa')].sort()).toEqual([...AYANAMSAS].sort());
    expect([...seen('node')].sort()).toEqual([...NODE_TYPES].sort());
    expect([...seen('profile')].sort()).toEqual([...PROFILES].sort());
    const houseSystems = seen('houseSystem');
    expect(houseSystems.size).toBeGreaterThanOrEqual(MIN_HOUSE_SYSTEMS);
    for (const h of houseSystems) expect(HOUSE_SYSTEMS).toContain(h);
  });

  it('spans the years 1800-2399 of the bundled ephemeris files', () => {
    const jds = charts.map((c) => c.jdUt);
    for (const jd of jds) expect(jd >= 2378496.5 && jd < 2597641.5, `jd ${jd}`).toBe(true);
    // Reasonably spread: some chart in the first and in the last century.
    expect(Math.min(...jds)).toBeLessThan(2415020.5); // 1900
    expect(Math.max(...jds)).toBeGreaterThan(2561117.5); // 2300
  });
});

describe(`golden charts agree with swetest ${fixture.swetestVersion} (seed ${fixture.seed}) within ${maxArcsec}″`, () => {
  afterAll(() => {
    const lines = Object.entries(worst).map(([q, w]) => `  ${q.padEnd(9)} ${w.arcsec.toExponential(2)}″  ${w.where}`);
    console.log(`golden: largest differences over ${charts.length} charts\n${lines.join('\n')}`);
  });

  it.each(charts.map((c) => [label(c), c] as const))('%s', (_name, c) => {
    const chart = computeNatal(nodeEngine(), { jdUt: c.jdUt, latDeg: c.latDeg, lonDeg: c.lonDeg, settings: c.settings });
    expect(chart.ephemeris).toBe('swiss');

    const failures: string[] = [];
    const check = (quantity: Quantity, what: string, arcsec: number, actual: number, expected: number) => {
      if (!(arcsec <= worst[quantity].arcsec)) worst[quantity] = { arcsec, where: `${what} @ ${label(c)}` };
      if (!(arcsec <= maxArcsec)) failures.push(`${what}: ours ${actual} swetest ${expected} (${arcsec.toExponential(3)}″)`);
    };

    check('ayanamsa', 'ayanamsa', diffArcsec(chart.ayanamsaDeg, c.expected.ayanamsaDeg), chart.ayanamsaDeg, c.expected.ayanamsaDeg);

    for (const [planet, source] of Object.entries(SOURCE) as [Planet, SwetestBody][]) {
      const ours = chart.planets[planet];
      const ref = c.expected.bodies[source];
      const isKetu = planet === 'Ketu';
      const lon = isKetu ? ref.lonDeg + 180 : ref.lonDeg;
      const lat = isKetu ? -ref.latDeg : ref.latDeg;
      check('longitude', `${planet} longitude`, angleDiffArcsec(ours.longitudeDeg, lon), ours.longitudeDeg, lon);
      check('latitude', `${planet} latitude`, diffArcsec(ours.latitudeDeg, lat), ours.latitudeDeg, lat);
      check('speed', `${planet} speed/day`, diffArcsec(ours.speedDegPerDay, ref.speedDegPerDay), ours.speedDegPerDay, ref.speedDegPerDay);
    }

    check('ascendant', 'ascendant', angleDiffArcsec(chart.ascendant.longitudeDeg, c.expected.ascendantDeg), chart.ascendant.longitudeDeg, c.expected.ascendantDeg);
    expect(chart.houses).toHaveLength(12);
    expect(c.expected.cuspsDeg).toHaveLength(12);
    chart.houses.forEach((h, i) => {
      const ref = c.expected.cuspsDeg[i];
      check('cusp', `cusp ${h.house}`, angleDiffArcsec(h.cuspDeg, ref), h.cuspDeg, ref);
    });

    expect(failures, `${c.swetest.planetsCommand}\n${c.swetest.housesCommand}`).toEqual([]);
  });
});
