import type { KeyPlanName, PlanName } from './plans';

/** Who is calling, as established by the authentication middleware. Never holds the key itself. */
export type Principal =
  | { kind: 'key'; keyId: string; plan: PlanName }
  | { kind: 'anonymous'; ip: string; plan: 'anonymous' };

/** What we keep about a key: its SHA-256 digest, never the key. */
export interface KeyRecord {
  keyId: string;
  name: string;
  plan: KeyPlanName;
  /** Hex SHA-256 of the key. */
  sha256: string;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601 once revoked; revoked keys are kept so that callers get 403, not 401. */
  revokedAt: string | null;
}

/** A key as listed to operators. */
export type KeySummary = Omit<KeyRecord, 'sha256'>;

export function summaryOf({ sha256: _digest, ...summary }: KeyRecord): KeySummary {
  return summary;
}
