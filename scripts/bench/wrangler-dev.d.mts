// Types for wrangler-dev.mjs, so TypeScript tests can start a Worker the way the bench does.
export interface WranglerDev {
  port: number;
  inspectorPort: number;
  pgid: number;
  logLevel: string;
  startupMs: number;
  processCount(): number;
  output(): string[];
  stop(): Promise<void>;
}

export function startWranglerDev(
  ctx: { root: string; tmp: string },
  options?: { logLevel?: string; timeoutMs?: number; vars?: Record<string, string> },
): Promise<WranglerDev>;
