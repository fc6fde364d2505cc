// wrangler bundles a `.wasm` import as a compiled WebAssembly.Module and, through
// the `Data` rule in wrangler.toml, each `.se1` ephemeris file as an ArrayBuffer.
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
declare module '*.se1' {
  const data: ArrayBuffer;
  export default data;
}
