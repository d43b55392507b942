import { describe, expect, it } from "vitest";
import { stopSignal, untilStopped } from "./signals";

// Delivery of real signals is the integration suite's (test/integration/agent-lock.test.ts); here the
// listeners are called as Node calls them.
const listening = () => [process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")];

describe("stopSignal", () => {
  it("resolves with the first signal; the same again is left to the default, the other is still caught", async () => {
    const [ints = 0, terms = 0] = listening();
    const stop = stopSignal();
    expect(listening()).toEqual([ints + 1, terms + 1]);
    process.emit("SIGINT", "SIGINT");
    await expect(stop.requested).resolves.toBe("SIGINT");
    // A second Ctrl-C would end the process; a SIGTERM while it stops is still caught.
    expect(listening()).toEqual([ints, terms + 1]);
    process.emit("SIGTERM", "SIGTERM");
    await expect(stop.requested).resolves.toBe("SIGINT");
    stop.dispose();
    expect(listening()).toEqual([ints, terms]);
  });

  it("keeps a signal that came before anyone waited", async () => {
    const stop = stopSignal();
    process.emit("SIGINT", "SIGINT");
    await new Promise((r) => setTimeout(r, 10));
    await expect(stop.requested).resolves.toBe("SIGINT");
    stop.dispose();
  });

  it("stops listening when disposed", () => {
    const before = listening();
    stopSignal().dispose();
    expect(listening()).toEqual(before);
  });

  it("runs a command with its stop, and leaves no listener once the command ends", async () => {
    const before = listening();
    const code = await untilStopped(async (stop) => {
      expect(listening()).toEqual(before.map((n) => n + 1));
      process.emit("SIGTERM", "SIGTERM");
      return (await stop) === "SIGTERM" ? 0 : 1;
    });
    expect(code).toBe(0);
    await expect(untilStopped(() => Promise.reject(new Error("bad flag")))).rejects.toThrow("bad flag");
    expect(listening()).toEqual(before);
  });
});
