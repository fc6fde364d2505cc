// Types for npm-start.mjs, so TypeScript tests can start `npm start` the way the bench does.
export interface NpmStart {
  port: number;
  directPort?: number;
  pgid: number;
  pid: number;
  startupMs: number;
  listening: Record<string, unknown>;
  exited: Promise<{ code: number | null; signal: string | null }>;
  lines(): string[];
  logs(): Record<string, unknown>[];
  processCount(): number;
  stop(signal?: NodeJS.Signals, options?: { group?: boolean; graceMs?: number }): Promise<boolean>;
}

export function startNpmStart(options: {
  root: string;
  direct?: boolean;
  args?: string[];
  timeoutMs?: number;
  attempts?: number;
  env?: NodeJS.ProcessEnv;
}): Promise<NpmStart>;
