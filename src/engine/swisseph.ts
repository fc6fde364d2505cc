/**
 * The one module that owns the Swiss Ephemeris WebAssembly instance: its memory,
 * scratch buffers and pointers. Everything else calls the typed methods below.
 *
 * Built from a compiled `WebAssembly.Module` (the Worker's `.wasm` import, or a
 * module compiled from the file in Node) plus the ephemeris file buffers, and
 * ready synchronously. Every method that depends on the sidereal mode sets it
 * itself, so no setting survives from one call (or request) to the next.
 */
import { EngineError } from '../core/errors';
import { wasiImports } from './wasi';

/** Swiss Ephemeris flag bits (swephexp.h). */
export const SEFLG = {
  SWIEPH: 2,
  MOSEPH: 4,
  SPEED: 256,
  TRUEPOS: 16,
  NONUT: 64,
  SIDEREAL: 64 * 1024,
  EQUATORIAL: 2048,
} as const;

/** Body numbers (swephexp.h). */
export const BODY = {
  SUN: 0,
  MOON: 1,
  MERCURY: 2,
  VENUS: 3,
  MARS: 4,
  JUPITER: 5,
  SATURN: 6,
  URANUS: 7,
  NEPTUNE: 8,
  PLUTO: 9,
  MEAN_NODE: 10,
  TRUE_NODE: 11,
} as const;

/** swe_rise_trans `rsmi` bits (swephexp.h): which event, and how the disc and the horizon are taken. */
export const RISE = {
  RISE: 1,
  SET: 2,
  DISC_CENTER: 256,
  NO_REFRACTION: 512,
} as const;

const ERR = -1;
/** swe_rise_trans: the body does not rise or set (circumpolar, polar day or night). */
const CIRCUMPOLAR = -2;
/** swephexp.h: AS_MAXCH, the size of every error/string buffer the library writes. */
const SERR_BYTES = 256;

export interface EphemerisFile {
  /** Base name the library asks for, e.g. `sepl_18.se1`. */
  name: string;
  data: ArrayBuffer | Uint8Array;
}

/** Which data produced a position: the bundled Swiss files, or the built-in Moshier theory. */
export type EphemerisSource = 'swiss' | 'moshier';

export interface BodyPosition {
  /** Ecliptic longitude, degrees, [0, 360), frame chosen by the flags. */
  lonDeg: number;
  /** Ecliptic latitude, degrees. */
  latDeg: number;
  distAu: number;
  lonSpeedDegPerDay: number;
  latSpeedDegPerDay: number;
  distSpeedAuPerDay: number;
  /** Flags the library actually used (it may fall back from Swiss files to Moshier). */
  returnFlags: number;
  ephemeris: EphemerisSource;
}

export interface HouseResult {
  /** Cusps 1..12 as index 0..11, degrees [0, 360). */
  cuspsDeg: number[];
  ascendantDeg: number;
  mcDeg: number;
  armcDeg: number;
  vertexDeg: number;
  /** False when the library could not use the requested system (Placidus/Koch beyond the polar circles) and fell back to Porphyry. */
  systemHonoured: boolean;
}

interface SwissExports {
  memory: WebAssembly.Memory;
  _initialize(): void;
  malloc(bytes: number): number;
  free(ptr: number): void;
  astro_register_file(namePtr: number, dataPtr: number, len: number): number;
  swe_version(bufPtr: number): number;
  swe_set_ephe_path(pathPtr: number): void;
  swe_set_sid_mode(sidMode: number, t0: number, ayanT0: number): void;
  swe_calc_ut(jdUt: number, body: number, flags: number, xxPtr: number, serrPtr: number): number;
  swe_get_ayanamsa_ex_ut(jdUt: number, flags: number, dayaPtr: number, serrPtr: number): number;
  swe_houses_ex2(
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
  swe_rise_trans(
    jdUt: number,
    body: number,
    starnamePtr: number,
    ephemerisFlag: number,
    rsmi: number,
    geoposPtr: number,
    atpressHpa: number,
    attempC: number,
    tretPtr: number,
    serrPtr: number,
  ): number;
}

/** Where and under which air a rise or set is observed. */
export interface Observer {
  lonDeg: number;
  latDeg: number;
  altitudeM: number;
  /** Air pressure, hPa, and temperature, °C, for refraction (native swetest uses 1013.25 and 15). */
  pressureHpa: number;
  temperatureC: number;
}

export class SwissEphemeris {
  readonly version: string;
  /** Base names of the ephemeris files registered in WASM memory. */
  readonly filesLoaded: readonly string[];

  private readonly exports: SwissExports;
  // Scratch buffers allocated once; calls are synchronous so one set suffices.
  private readonly doublesPtr: number; // 64 doubles
  private readonly serrPtr: number;
  private readonly emptyStringPtr: number;

  private constructor(exports: SwissExports, fileNames: string[]) {
    this.exports = exports;
    this.filesLoaded = fileNames;
    this.doublesPtr = this.alloc(64 * 8);
    this.serrPtr = this.alloc(SERR_BYTES);
    // swe_rise_trans takes a star name; an empty one means "the body number".
    this.emptyStringPtr = this.writeCString('');
    const versionPtr = this.alloc(SERR_BYTES);
    exports.swe_version(versionPtr);
    this.version = this.readCString(versionPtr);
    exports.free(versionPtr);
  }

  /** Instantiates the module synchronously and copies each ephemeris file into its memory once. */
  static create(module: WebAssembly.Module, files: readonly EphemerisFile[]): SwissEphemeris {
    let memory: WebAssembly.Memory | undefined;
    const instance = new WebAssembly.Instance(
      module,
      wasiImports(() => {
        if (!memory) throw new EngineError('WASM memory used before instantiation');
        return memory;
      }),
    );
    const exports = instance.exports as unknown as SwissExports;
    memory = exports.memory;
    exports._initialize();

    const names: string[] = [];
    const staging = new SwissEphemeris(exports, []);
    for (const file of files) {
      const bytes = file.data instanceof Uint8Array ? file.data : new Uint8Array(file.data);
      const dataPtr = staging.alloc(bytes.byteLength);
      new Uint8Array(exports.memory.buffer, dataPtr, bytes.byteLength).set(bytes);
      const namePtr = staging.writeCString(file.name);
      const rc = exports.astro_register_file(namePtr, dataPtr, bytes.byteLength);
      exports.free(namePtr);
      if (rc !== 0) throw new EngineError(`could not register ephemeris file ${file.name}`);
      names.push(file.name);
    }
    // The path is irrelevant to the in-memory shim (it matches base names), but
    // setting it makes the library forget any file it tried before registration.
    const pathPtr = staging.writeCString('/ephe');
    exports.swe_set_ephe_path(pathPtr);
    exports.free(pathPtr);
    return new SwissEphemeris(exports, names);
  }

  /**
   * Position of one body at a UT Julian day. With `SEFLG.SIDEREAL` in `flags`,
   * `sidMode` is applied first (Swiss Ephemeris sidereal mode number).
   */
  calcUt(jdUt: number, body: number, flags: number, sidMode?: number): BodyPosition {
    this.applySidMode(flags, sidMode);
    const ex = this.exports;
    let rc = ex.swe_calc_ut(jdUt, body, flags, this.doublesPtr, this.serrPtr);
    // Outside the bundled files the library falls back to Moshier by itself, except for the true
    // node in the True Chitra mode: there it fails ("jd -0.001010 outside Moshier planet range";
    // native swetest 2.10.03 fails the same way, and gives the right value with -emos). Asking
    // for Moshier explicitly is what the fallback would have done.
    if (rc === ERR && flags & SEFLG.SWIEPH) {
      rc = ex.swe_calc_ut(jdUt, body, (flags & ~SEFLG.SWIEPH) | SEFLG.MOSEPH, this.doublesPtr, this.serrPtr);
    }
    if (rc === ERR) throw new EngineError(`swe_calc_ut(body ${body}) failed: ${this.readCString(this.serrPtr)}`);
    const xx = this.doubles(6);
    return {
      lonDeg: xx[0],
      latDeg: xx[1],
      distAu: xx[2],
      lonSpeedDegPerDay: xx[3],
      latSpeedDegPerDay: xx[4],
      distSpeedAuPerDay: xx[5],
      returnFlags: rc,
      ephemeris: rc & SEFLG.SWIEPH ? 'swiss' : 'moshier',
    };
  }

  /** Ayanamsa in degrees for a sidereal mode at a UT Julian day; `flags` may carry NONUT. */
  ayanamsaUt(jdUt: number, sidMode: number, flags: number): number {
    this.exports.swe_set_sid_mode(sidMode, 0, 0);
    const rc = this.exports.swe_get_ayanamsa_ex_ut(jdUt, flags, this.doublesPtr, this.serrPtr);
    if (rc === ERR) throw new EngineError(`swe_get_ayanamsa_ex_ut failed: ${this.readCString(this.serrPtr)}`);
    return this.doubles(1)[0];
  }

  /**
   * House cusps and angles. `houseSystem` is the library's one-letter code
   * (W, E, P, O, …). With `SEFLG.SIDEREAL` in `flags`, `sidMode` is applied first.
   */
  housesUt(jdUt: number, latDeg: number, lonDeg: number, houseSystem: string, flags: number, sidMode?: number): HouseResult {
    this.applySidMode(flags, sidMode);
    const base = this.doublesPtr;
    const cuspsPtr = base; // 13 doubles (index 0 unused)
    const ascmcPtr = base + 13 * 8; // 10 doubles
    const cuspSpeedPtr = base + 23 * 8; // 13 doubles
    const ascmcSpeedPtr = base + 36 * 8; // 10 doubles
    const rc = this.exports.swe_houses_ex2(
      jdUt,
      flags,
      latDeg,
      lonDeg,
      houseSystem.charCodeAt(0),
      cuspsPtr,
      ascmcPtr,
      cuspSpeedPtr,
      ascmcSpeedPtr,
      this.serrPtr,
    );
    const all = this.doubles(23);
    return {
      cuspsDeg: all.slice(1, 13),
      ascendantDeg: all[13],
      mcDeg: all[14],
      armcDeg: all[15],
      vertexDeg: all[16],
      systemHonoured: rc !== ERR,
    };
  }

  /**
   * Julian day (UT) of the first rise or set (`RISE.RISE` / `RISE.SET` in
   * `rsmi`, plus the disc/refraction bits) of a body after `jdUt`, or null when
   * the library reports that it does not rise or set there (circumpolar: polar
   * day or night). `ephemerisFlag` is SEFLG.SWIEPH (or MOSEPH).
   */
  riseTransUt(jdUt: number, body: number, ephemerisFlag: number, rsmi: number, at: Observer): number | null {
    const ex = this.exports;
    const geoposPtr = this.doublesPtr + 8 * 8;
    const geo = new Float64Array(ex.memory.buffer, geoposPtr, 3);
    geo[0] = at.lonDeg;
    geo[1] = at.latDeg;
    geo[2] = at.altitudeM;
    const tretPtr = this.doublesPtr;
    const rc = ex.swe_rise_trans(jdUt, body, this.emptyStringPtr, ephemerisFlag, rsmi, geoposPtr, at.pressureHpa, at.temperatureC, tretPtr, this.serrPtr);
    if (rc === CIRCUMPOLAR) return null;
    if (rc === ERR) throw new EngineError(`swe_rise_trans(body ${body}) failed: ${this.readCString(this.serrPtr)}`);
    return this.doubles(1)[0];
  }

  private applySidMode(flags: number, sidMode: number | undefined): void {
    if (!(flags & SEFLG.SIDEREAL)) return;
    if (sidMode === undefined) throw new EngineError('sidereal flag without a sidereal mode');
    this.exports.swe_set_sid_mode(sidMode, 0, 0);
  }

  private doubles(count: number): number[] {
    return Array.from(new Float64Array(this.exports.memory.buffer, this.doublesPtr, count));
  }

  private alloc(bytes: number): number {
    const ptr = this.exports.malloc(bytes);
    if (ptr === 0) throw new EngineError(`WASM allocation of ${bytes} bytes failed`);
    return ptr;
  }

  private writeCString(text: string): number {
    const bytes = new TextEncoder().encode(text);
    const ptr = this.alloc(bytes.byteLength + 1);
    const view = new Uint8Array(this.exports.memory.buffer, ptr, bytes.byteLength + 1);
    view.set(bytes);
    view[bytes.byteLength] = 0;
    return ptr;
  }

  private readCString(ptr: number): string {
    const mem = new Uint8Array(this.exports.memory.buffer);
    let end = ptr;
    while (end < mem.length && mem[end] !== 0) end++;
    return new TextDecoder().decode(mem.subarray(ptr, end));
  }
}
