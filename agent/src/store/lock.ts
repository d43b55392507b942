/**
 * One running agent to a site's data folder. The agent that runs the site holds `agent.lock` there for as long
 * as it runs: a small SQLite file written once in exclusive locking mode, whose lock SQLite then never lets go
 * and the kernel drops when the process ends, however it ends (no stale lock after a crash). A second agent
 * started on the same folder — by hand beside the service, or by a copy of its unit — stops at once with a
 * clear error, where it would otherwise reconcile the site's workloads and hold its sync session beside the
 * first. The store file itself stays open to readers; `nephoran apply`, which stores an intent for the running
 * agent to apply, does not take the lock.
 */
import { join } from "node:path";
import Database from "better-sqlite3";
import { StoreError, StoreErrorCode } from "./errors";

const LOCK_FILE = "agent.lock";

export interface DataDirLock {
  release(): void;
}

/**
 * Takes the data folder's lock, waiting up to `waitMs` for an agent that is stopping to let go of it; throws
 * StoreError InUse when another agent holds it.
 */
export function lockDataDir(dir: string, waitMs = 3000): DataDirLock {
  const file = join(dir, LOCK_FILE);
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { timeout: waitMs });
    db.pragma("locking_mode = EXCLUSIVE");
    // The write takes the file's exclusive lock; in this mode it is kept after the commit. The row says which
    // process held it last.
    db.exec("CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL); DELETE FROM holder;");
    db.prepare("INSERT INTO holder VALUES (?)").run(process.pid);
  } catch (e: unknown) {
    db?.close();
    if ((e as { code?: string }).code === "SQLITE_BUSY")
      throw new StoreError(
        StoreErrorCode.InUse,
        `another agent is running on the data folder ${dir} (it holds ${LOCK_FILE}): stop it first, or give this one a data folder of its own`,
        { cause: e },
      );
    const why = (e as Error).message;
    throw new StoreError(StoreErrorCode.Corrupt, `cannot lock the data folder ${dir}: ${why}`, { cause: e });
  }
  const held = db;
  return {
    release: () => {
      if (held.open) held.close();
    },
  };
}
