// Vite (and so vitest-pool-workers) imports any file as its text with `?raw`.
declare module '*?raw' {
  const text: string;
  export default text;
}
