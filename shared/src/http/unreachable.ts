/** Why a request got no answer, in words: fetch says "fetch failed" and keeps the reason in its cause. */
export function whyUnreachable(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  if (e.name === "TimeoutError") return "timed out";
  const cause = e.cause as (Error & { code?: string }) | undefined;
  switch (cause?.code) {
    case "ECONNREFUSED":
      return "connection refused (nothing listens there: is it running, is the port right?)";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `no such host (${cause.message})`;
    case "ETIMEDOUT":
    case "UND_ERR_CONNECT_TIMEOUT":
      return "the connection timed out (a firewall, or the link is down?)";
    case "ECONNRESET":
      return "the connection was reset";
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "no route to the host (the link is down?)";
    default:
      return cause?.message ? `${e.message}: ${cause.message}` : e.message;
  }
}
