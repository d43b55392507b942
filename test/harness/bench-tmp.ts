/**
 * A benchmark's temporary files — its brokers', servers' and stores' folders — in a folder of the run's own,
 * removed when the run ends, as scripts/test.sh does for the suites. Each benchmark imports this first, so the
 * folder is the temporary folder (TMPDIR) of every harness it starts and every process they spawn. Open to all
 * like /tmp: PostgreSQL and mosquitto run as their own users.
 */
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dir = mkdtempSync(join(tmpdir(), "nephoran-bench."));
chmodSync(dir, 0o1777);
process.env["TMPDIR"] = dir;
// Hooked once every module is loaded, so after the harnesses' own exit hooks (which kill the brokers they
// started); a broker's last writes while it dies are retried past.
setImmediate(() =>
  process.once("exit", () => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 })),
);
// A benchmark stopped by a signal (Ctrl-C, kill) ends through exit, so those hooks still run: left to the
// signal's default action, it would die with its brokers and servers still running and this folder in place.
for (const [signal, code] of [
  ["SIGINT", 130],
  ["SIGTERM", 143],
] as const)
  process.once(signal, () => process.exit(code));
