/** The ephemeris files bundled with the Worker (see wasm/README.md). */
export const EPHEMERIS_FILES = [
  { name: 'sepl_18.se1', covers: 'planets, 1800–2399 AD' },
  { name: 'semo_18.se1', covers: 'Moon, 1800–2399 AD' },
] as const;
