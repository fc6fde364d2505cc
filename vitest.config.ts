import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

// Three projects: `node` runs the pure core and the WASM engine in plain Node
// (golden, differential and unit tests); `stack` runs the local service stack
// (redis-server + the Upstash REST emulator, scripts/stack/) and its contract
// tests against the official clients; `worker` runs the Worker itself inside
// workerd through vitest-pool-workers, configured from wrangler.toml.
export default defineConfig({
  test: {
    // Every request writes its log line; tests read them through spies, the terminal need not.
    onConsoleLog: (log: string) => !/msg: (\x1b\[\d+m)?'request'/.test(log),
    projects: [
      {
        test: {
          name: 'node',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'stack',
          include: ['test/stack/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/stack/global-setup.ts'],
          // One file at a time: the outage tests stop the shared redis-server.
          fileParallelism: false,
          testTimeout: 60_000,
        },
      },
      {
        plugins: [cloudflareTest({ wrangler: { configPath: './wrangler.toml' } })],
        test: {
          name: 'worker',
          include: ['test/worker/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
    ],
  },
});
