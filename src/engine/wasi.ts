/**
 * The seven WASI imports wasm/swisseph.wasm links against, reduced to what a
 * module without a file system needs. Ephemeris files are served from linear
 * memory by the C shim, so no call here ever touches a real descriptor.
 */

const ERRNO_SUCCESS = 0;
const ERRNO_BADF = 8;
const ERRNO_SPIPE = 70;

export class WasiExit extends Error {
  override readonly name = 'WasiExit';
  constructor(readonly exitCode: number) {
    super(`Swiss Ephemeris module called proc_exit(${exitCode})`);
  }
}

/** Builds the import object; `memory` is read lazily because it exists only after instantiation. */
export function wasiImports(memory: () => WebAssembly.Memory): WebAssembly.Imports {
  const view = () => new DataView(memory().buffer);
  return {
    wasi_snapshot_preview1: {
      environ_sizes_get(countPtr: number, sizePtr: number): number {
        view().setUint32(countPtr, 0, true);
        view().setUint32(sizePtr, 0, true);
        return ERRNO_SUCCESS;
      },
      environ_get(): number {
        return ERRNO_SUCCESS;
      },
      fd_close(): number {
        return ERRNO_SUCCESS;
      },
      fd_fdstat_get(): number {
        return ERRNO_BADF;
      },
      fd_seek(): number {
        return ERRNO_SPIPE;
      },
      // The library prints nothing on the paths we call; report every byte as
      // written so stdio never loops retrying.
      fd_write(_fd: number, iovsPtr: number, iovsLen: number, writtenPtr: number): number {
        const dv = view();
        let total = 0;
        for (let i = 0; i < iovsLen; i++) total += dv.getUint32(iovsPtr + i * 8 + 4, true);
        dv.setUint32(writtenPtr, total, true);
        return ERRNO_SUCCESS;
      },
      proc_exit(code: number): never {
        throw new WasiExit(code);
      },
    },
  };
}
