/**
 * A suite whose real server is missing says so, loudly, and is skipped — except under CI, where the run fails
 * instead: CI must run every suite.
 */
export function skippedFor(missing: string | undefined, suite: string): boolean {
  if (missing === undefined) return false;
  const msg = `${missing}: ${suite} SKIPPED`;
  if (process.env["CI"]) throw new Error(msg);
  console.warn(`\n!!! ${msg}\n`);
  return true;
}
