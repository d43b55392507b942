import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { listen } from "./listen";
import { whyUnreachable } from "./unreachable";

/** What fetch threw for `url`. */
const thrown = (url: string, init: RequestInit = {}) =>
  fetch(url, init).then(
    () => undefined,
    (e: unknown) => e,
  );

describe("whyUnreachable", () => {
  it("says a refused connection in words, not 'fetch failed'", async () => {
    const s = createServer();
    const { port } = await listen(s, 0, "127.0.0.1", "the test endpoint");
    await new Promise((r) => s.close(r)); // nothing listens there now
    const e = await thrown(`http://127.0.0.1:${port}/`);
    expect((e as Error).message).toBe("fetch failed");
    expect(whyUnreachable(e)).toBe(
      "connection refused (nothing listens there: is it running, is the port right?)",
    );
  });

  it("says a request that got no answer in time", async () => {
    const s = createServer(() => undefined); // accepts, never answers
    const { port } = await listen(s, 0, "127.0.0.1", "the test endpoint");
    const e = await thrown(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(100) });
    s.close();
    expect(whyUnreachable(e)).toBe("timed out");
  });

  it("keeps what it does not know, the cause included", () => {
    expect(whyUnreachable(new Error("fetch failed", { cause: new Error("bad certificate") }))).toBe(
      "fetch failed: bad certificate",
    );
    expect(whyUnreachable("gone")).toBe("gone");
  });
});
