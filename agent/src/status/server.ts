/** Serves the status app on its configured address (127.0.0.1 unless told otherwise). */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Agent } from "../agent";
import type { StatusConfig } from "../config";
import { createStatusApp } from "./app";

export interface StatusServer {
  readonly url: string;
  close(): Promise<void>;
}

export function serveStatus(agent: Agent, config: StatusConfig): Promise<StatusServer> {
  const app = createStatusApp({ agent, token: config.token });
  return new Promise((resolve, reject) => {
    const server = serve(
      { fetch: app.fetch, hostname: config.host, port: config.port },
      (info: AddressInfo) => {
        const host = info.family === "IPv6" ? `[${info.address}]` : info.address;
        resolve({
          url: `http://${host}:${info.port}`,
          close: () =>
            new Promise<void>((done) => {
              server.close(() => done());
              (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
            }),
        });
      },
    );
    server.once("error", reject);
  });
}
