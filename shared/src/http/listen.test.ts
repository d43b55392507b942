import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ListenError, listen } from "./listen";

const open: ReturnType<typeof createServer>[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => new Promise((r) => s.close(r))));
});
const server = () => {
  const s = createServer();
  open.push(s);
  return s;
};

describe("listen", () => {
  it("takes a free port and gives its address, leaving no error listener behind", async () => {
    const s = server();
    const addr = await listen(s, 0, "127.0.0.1", "the test endpoint");
    expect(addr.address).toBe("127.0.0.1");
    expect(addr.port).toBeGreaterThan(0);
    expect(s.listenerCount("error")).toBe(0);
  });

  it("refuses a port in use, naming the endpoint, the address and the reason", async () => {
    const { port } = await listen(server(), 0, "127.0.0.1", "the first");
    const e = await listen(server(), port, "127.0.0.1", "the second").catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ListenError);
    expect(e).toMatchObject({ what: "the second", host: "127.0.0.1", port, code: "EADDRINUSE" });
    expect((e as Error).message).toBe(
      `the second cannot listen on 127.0.0.1:${port}: the port is in use (another process holds it; choose another port or stop that process)`,
    );
  });

  it("refuses an address the machine does not have", async () => {
    const e = await listen(server(), 0, "192.0.2.1", "the test endpoint").catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "EADDRNOTAVAIL" });
    expect((e as Error).message).toBe(
      "the test endpoint cannot listen on 192.0.2.1:0: this machine has no such address",
    );
  });
});
