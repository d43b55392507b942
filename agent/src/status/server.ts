/** Serves the status app on node:http, on its configured address (127.0.0.1 unless told otherwise). */
import { createServer } from "node:http";
import type { IncomingMessage } from "node:http";
import { listen } from "@nephoran/shared";
import type { Agent } from "../agent";
import type { StatusConfig } from "../config";
import { createStatusApp } from "./app";
import type { StatusRequest } from "./app";

export interface StatusServer {
  readonly url: string;
  close(): Promise<void>;
}

/** The body, or undefined once it passes `limit` bytes (the rest is read and dropped). */
function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  if (Number(req.headers["content-length"] ?? 0) > limit) {
    req.resume();
    return Promise.resolve(undefined);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
    });
    req.on("end", () => resolve(size > limit ? undefined : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function statusRequest(req: IncomingMessage, local: string): StatusRequest {
  const host = req.headers.host;
  let url: URL;
  try {
    url = new URL(req.url ?? "/", `http://${host ?? local}`);
  } catch {
    url = new URL(req.url ?? "/", `http://${local}`);
  }
  return {
    method: (req.method ?? "GET").toUpperCase(),
    url,
    header: (n) => {
      const v = req.headers[n.toLowerCase()];
      return Array.isArray(v) ? v.join(", ") : v;
    },
    text: (limit) => readBody(req, limit),
  };
}

export function serveStatus(agent: Agent, config: StatusConfig): Promise<StatusServer> {
  const app = createStatusApp({ agent, token: config.token });
  let local = `${config.host}:${config.port}`;
  const server = createServer((req, res) => {
    void app.handle(statusRequest(req, local)).then(
      (r) => {
        res.writeHead(r.status, { ...r.headers, "content-length": Buffer.byteLength(r.body) });
        res.end(req.method === "HEAD" ? undefined : r.body);
      },
      () => res.destroy(),
    );
  });
  return listen(server, config.port, config.host, "the status endpoint").then((info) => {
    const host = info.family === "IPv6" ? `[${info.address}]` : info.address;
    local = `${host}:${info.port}`;
    return {
      url: `http://${local}`,
      close: () =>
        new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        }),
    };
  });
}
