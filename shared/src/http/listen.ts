/**
 * A server taking its port, or a refusal that says which endpoint could not and why in words: a port in use,
 * a privileged port, an address this machine does not have.
 */
import type { AddressInfo, Server } from "node:net";

/** Why `what` could not listen: `code` is the system's (EADDRINUSE, EACCES, EADDRNOTAVAIL, …). */
export class ListenError extends Error {
  constructor(
    readonly what: string,
    readonly host: string,
    readonly port: number,
    readonly code: string | undefined,
    cause: Error,
  ) {
    super(`${what} cannot listen on ${host}:${port}: ${reasonOf(code, cause)}`, { cause });
    this.name = "ListenError";
  }
}

function reasonOf(code: string | undefined, cause: Error): string {
  switch (code) {
    case "EADDRINUSE":
      return "the port is in use (another process holds it; choose another port or stop that process)";
    case "EACCES":
      return "permission denied (ports below 1024 need privileges)";
    case "EADDRNOTAVAIL":
      return "this machine has no such address";
    default:
      return cause.message;
  }
}

/** Starts `server` listening on host:port (0: any free port); `what` names it in a refusal. */
export function listen(server: Server, port: number, host: string, what: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const refused = (e: NodeJS.ErrnoException) => reject(new ListenError(what, host, port, e.code, e));
    server.once("error", refused);
    server.listen(port, host, () => {
      server.off("error", refused);
      resolve(server.address() as AddressInfo);
    });
  });
}
