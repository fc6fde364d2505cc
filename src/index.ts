/**
 * Worker entry. The engine is built at global scope, once per isolate: the
 * `.wasm` import is already a compiled module (workerd refuses to compile bytes
 * at request time) and the `.se1` files arrive as ArrayBuffers.
 */
import wasmModule from '../wasm/swisseph.wasm';
import sepl from '../wasm/sepl_18.se1';
import semo from '../wasm/semo_18.se1';
import { createApp, type AppDeps } from './app';
import { SwissEphemeris } from './engine/swisseph';
import { errorFields, log } from './obs/log';

/** A broken engine must not take /health down with it: the Worker still answers, and says `down`. */
function buildEngine(): AppDeps {
  try {
    return {
      engine: SwissEphemeris.create(wasmModule, [
        { name: 'sepl_18.se1', data: sepl },
        { name: 'semo_18.se1', data: semo },
      ]),
    };
  } catch (err) {
    log.error('engine_start_failed', errorFields(err));
    return { engine: null, engineError: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
}

export default createApp(buildEngine());
