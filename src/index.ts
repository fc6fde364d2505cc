/**
 * Worker entry. The engine is built at global scope, once per isolate: the
 * `.wasm` import is already a compiled module (workerd refuses to compile bytes
 * at request time) and the `.se1` files arrive as ArrayBuffers.
 */
import wasmModule from '../wasm/swisseph.wasm';
import sepl from '../wasm/sepl_18.se1';
import semo from '../wasm/semo_18.se1';
import { createApp } from './app';
import { SwissEphemeris } from './engine/swisseph';

const engine = SwissEphemeris.create(wasmModule, [
  { name: 'sepl_18.se1', data: sepl },
  { name: 'semo_18.se1', data: semo },
]);

export default createApp({ engine });
