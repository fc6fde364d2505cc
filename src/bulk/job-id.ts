/**
 * Job ids carry their creation time, so that a job gone from the store can be
 * told apart as expired (`results_expired`) or never known (`job_not_found`)
 * without keeping anything past the retention.
 *
 *   <creation time, ms since the Unix epoch, base 36, 9 chars>-<20 random hex>
 *   e.g. mi8b2k3x0-4f1c9a0b7e2d5c6a8b90
 */
const JOB_ID_RE = /^([0-9a-z]{9})-[0-9a-f]{20}$/;

export function newJobId(nowMs: number): string {
  const random = crypto.getRandomValues(new Uint8Array(10));
  const hex = Array.from(random, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${nowMs.toString(36).padStart(9, '0')}-${hex}`;
}

export function isJobId(text: string): boolean {
  return JOB_ID_RE.test(text);
}

/** Creation time written in the id, ms since the epoch; null if the text is not a job id. */
export function jobCreatedAtMs(jobId: string): number | null {
  const match = JOB_ID_RE.exec(jobId);
  return match ? parseInt(match[1], 36) : null;
}
