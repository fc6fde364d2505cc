/** Builds the WASM engine in plain Node from the committed files, as the Worker does from its imports. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SwissEphemeris } from '../../src/engine/swisseph';

const wasmDir = fileURLToPath(new URL('../../wasm/', import.meta.url));

export function ephemerisFiles(): { name: string; data: Uint8Array }[] {
  return ['sepl_18.se1', 'semo_18.se1'].map((name) => ({ name, data: readFileSync(wasmDir + name) }));
}

// workers-types declares WebAssembly.Module abstract (workerd refuses to compile
// bytes at request time); Node compiles them synchronously.
type ModuleFromBytes = new (bytes: Uint8Array) => WebAssembly.Module;

export function compileModule(): WebAssembly.Module {
  return new (WebAssembly.Module as unknown as ModuleFromBytes)(readFileSync(wasmDir + 'swisseph.wasm'));
}

let shared: SwissEphemeris | undefined;
/** One engine per test file: instantiation is cheap but there is no reason to repeat it. */
export function nodeEngine(): SwissEphemeris {
  shared ??= SwissEphemeris.create(compileModule(), ephemerisFiles());
  return shared;
}
