import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MetricsError, PrometheusSource } from "./prometheus";

/** A server speaking Prometheus's query API: the answer is chosen by the query asked. */
let server: Server;
let url: string;
const asked: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const query = new URLSearchParams(body).get("query") ?? "";
      asked.push(`${req.method} ${req.url} ${req.headers["content-type"]} ${query}`);
      const vector = (result: unknown) =>
        JSON.stringify({ status: "success", data: { resultType: "vector", result } });
      if (query === "by_pod")
        res.end(
          vector([
            { metric: { pod: "upf-a-0" }, value: [1, "2.5"] },
            { metric: { pod: "upf-a-1" }, value: [1, "NaN"] },
            { metric: {}, value: [1, "7"] },
          ]),
        );
      else if (query === "sum")
        res.end(
          vector([
            { metric: {}, value: [1, "1"] },
            { metric: {}, value: [1, "2"] },
          ]),
        );
      else if (query === "empty") res.end(vector([]));
      else if (query === "garbage") res.end("<html>not prometheus</html>");
      else {
        res.statusCode = 400;
        res.end(JSON.stringify({ status: "error", errorType: "bad_data", error: "parse error at char 1" }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("the site's Prometheus", () => {
  it("asks instant queries by POST and reads a vector's series by a label, leaving out those without a number", async () => {
    const p = new PrometheusSource(url);
    expect([...(await p.series("by_pod", "pod"))]).toEqual([["upf-a-0", 2.5]]);
    expect(asked.at(-1)).toBe("POST /api/v1/query application/x-www-form-urlencoded by_pod");
    expect(await p.query("sum")).toBe(3);
    expect(await p.query("empty")).toBeUndefined();
  });

  it("says why when Prometheus refuses, answers something else, or is not there", async () => {
    const p = new PrometheusSource(url);
    await expect(p.query("nonsense(")).rejects.toThrow(/refused the query \(400\): parse error at char 1/);
    await expect(p.query("garbage")).rejects.toThrow(MetricsError);
    const gone = new PrometheusSource("http://127.0.0.1:1", 1_000);
    await expect(gone.query("sum")).rejects.toThrow(/did not answer: .*ECONNREFUSED/);
  });
});
