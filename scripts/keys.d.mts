/** Types of scripts/keys.mjs for the tests that import it. */
export declare const PLANS: readonly ['free', 'pro', 'enterprise'];
export declare class UsageError extends Error {}
export interface OfflineEntry {
  keyId: string;
  name: string;
  plan: string;
  sha256: string;
  createdAt: string;
}
export declare function offlineKey(input: { name: string; plan: string; now?: Date }): { key: string; entry: OfflineEntry };
export declare function run(argv: string[], env?: Record<string, string | undefined>): Promise<{ text?: string; json?: any }>;
/** Whether --url may use plain http:// for this URL hostname (loopback only). */
export declare function isLoopbackHost(hostname: string): boolean;
