/** What every request handler can reach: the hub's services (set once) and the caller. */
import type { Principal } from "../auth/middleware";
import type { HubDeps } from "../deps";

export type { HubDeps };

export type AppEnv = {
  Variables: {
    deps: HubDeps;
    principal: Principal;
    requestId: string;
    /** Set when the request carries an Idempotency-Key (see idempotency.ts). */
    idempotency: { scope: string; key: string } | undefined;
  };
};
