/**
 * Test oracle: the `swisseph-wasm` npm package (dev dependency only), an
 * independent Emscripten build of Swiss Ephemeris 2.10.03. Used by the
 * differential test to check our own clang/WASI build against it; never
 * imported by `src/`.
 *
 * Initialisation in plain Node needs no overrides: the package's
 * `initSwissEph()` passes a `locateFile` that resolves `swisseph.wasm` and
 * `swisseph.data` next to its own file (from `import.meta.url`), and the
 * Emscripten glue reads both with `fs.readFileSync` under Node. The `.data`
 * bundle is mounted at `/sweph` in Emscripten's in-memory FS and holds
 * sepl_18.se1 and semo_18.se1 (byte-identical to ours), plus seas_18.se1,
 * sefstars.txt, seleapsec.txt and seorbel.txt; `initSwissEph()` sets the
 * ephemeris path to `sweph`, so the oracle computes from the Swiss files
 * (return flag SEFLG_SWIEPH), like our engine.
 *
 * The package's JS wrappers hide the return flag of `swe_calc_ut` and
 * allocate per call, so this module calls the raw exported C functions
 * (`swe.SweModule._swe_*`) with its own scratch buffers, mirroring
 * `SwissEphemeris` in src/engine/swisseph.ts. The oracle has its own global
 * sidereal state: every sidereal call here sets the mode first.
 */
import SwissEph from 'swisseph-wasm';

const SEFLG_SIDEREAL = 64 * 1024;
const ERR = -1;

/** The subset of the Emscripten module we use (see node_modules/swisseph-wasm/wasm/swisseph.js). */
interface EmscriptenSwiss {
  HEAPF64: Float64Array;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  UTF8ToString(ptr: number): string;
  FS: { readdir(path: string): string[] };
  _swe_version(bufPtr: number): number;
  _swe_set_sid_mode(sidMode: number, t0: number, ayanT0: number): void;
  _swe_calc_ut(jdUt: number, body: number, flags: number, xxPtr: number, serrPtr: number): number;
  _swe_get_ayanamsa_ex_ut(jdUt: number, flags: number, dayaPtr: number, serrPtr: number): number;
  _swe_julday(year: number, month: number, day: number, hour: number, gregflag: number): number;
  _swe_houses_ex2(
    jdUt: number,
    flags: number,
    latDeg: number,
    lonDeg: number,
    hsys: number,
    cuspsPtr: number,
    ascmcPtr: number,
    cuspSpeedPtr: number,
    ascmcSpeedPtr: number,
    serrPtr: number,
  ): number;
}

export interface OraclePosition {
  lonDeg: number;
  latDeg: number;
  lonSpeedDegPerDay: number;
  returnFlags: number;
}

export interface OracleHouses {
  cuspsDeg: number[];
  ascendantDeg: number;
  mcDeg: number;
  systemHonoured: boolean;
}

export class Oracle {
  readonly version: string;
  /** Files in the oracle's bundled `/sweph` directory. */
  readonly files: readonly string[];

  private readonly m: EmscriptenSwiss;
  private readonly doublesPtr: number;
  private readonly serrPtr: number;

  private constructor(m: EmscriptenSwiss) {
    this.m = m;
    this.doublesPtr = m._malloc(64 * 8);
    this.serrPtr = m._malloc(256);
    m._swe_version(this.serrPtr);
    this.version = m.UTF8ToString(this.serrPtr);
    this.files = m.FS.readdir('/sweph').filter((name) => !name.startsWith('.'));
  }

  static async create(): Promise<Oracle> {
    const swe = new SwissEph();
    await swe.initSwissEph(); // also sets the ephemeris path to the bundled /sweph
    // `SweModule` is a public getter of the wrapper class, missing from its .d.ts.
    return new Oracle((swe as unknown as { SweModule: EmscriptenSwiss }).SweModule);
  }

  julday(year: number, month: number, day: number, hour: number): number {
    return this.m._swe_julday(year, month, day, hour, 1);
  }

  calcUt(jdUt: number, body: number, flags: number, sidMode?: number): OraclePosition {
    this.applySidMode(flags, sidMode);
    const rc = this.m._swe_calc_ut(jdUt, body, flags, this.doublesPtr, this.serrPtr);
    if (rc === ERR) throw new Error(`oracle swe_calc_ut(body ${body}) failed: ${this.m.UTF8ToString(this.serrPtr)}`);
    const xx = this.doubles(4);
    return { lonDeg: xx[0], latDeg: xx[1], lonSpeedDegPerDay: xx[3], returnFlags: rc };
  }

  ayanamsaUt(jdUt: number, sidMode: number, flags: number): number {
    this.m._swe_set_sid_mode(sidMode, 0, 0);
    const rc = this.m._swe_get_ayanamsa_ex_ut(jdUt, flags, this.doublesPtr, this.serrPtr);
    if (rc === ERR) throw new Error(`oracle swe_get_ayanamsa_ex_ut failed: ${this.m.UTF8ToString(this.serrPtr)}`);
    return this.doubles(1)[0];
  }

  housesUt(jdUt: number, latDeg: number, lonDeg: number, houseSystem: string, flags: number, sidMode?: number): OracleHouses {
    this.applySidMode(flags, sidMode);
    const base = this.doublesPtr;
    const rc = this.m._swe_houses_ex2(
      jdUt,
      flags,
      latDeg,
      lonDeg,
      houseSystem.charCodeAt(0),
      base,
      base + 13 * 8,
      base + 23 * 8,
      base + 36 * 8,
      this.serrPtr,
    );
    const all = this.doubles(23);
    return { cuspsDeg: all.slice(1, 13), ascendantDeg: all[13], mcDeg: all[14], systemHonoured: rc !== ERR };
  }

  private applySidMode(flags: number, sidMode: number | undefined): void {
    if (!(flags & SEFLG_SIDEREAL)) return;
    if (sidMode === undefined) throw new Error('oracle: sidereal flag without a sidereal mode');
    this.m._swe_set_sid_mode(sidMode, 0, 0);
  }

  /** Reads through the module's current HEAPF64, which Emscripten replaces if memory grows. */
  private doubles(count: number): number[] {
    const start = this.doublesPtr / 8;
    return Array.from(this.m.HEAPF64.subarray(start, start + count));
  }
}
