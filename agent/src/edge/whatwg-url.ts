/**
 * The edge bundle's stand-in for `whatwg-url`: node-fetch 2 (under @kubernetes/client-node) loads it for a
 * URL class Node.js has built in, and its Unicode tables would cost the agent megabytes of heap.
 */
export const URL = globalThis.URL;
export const URLSearchParams = globalThis.URLSearchParams;
export default { URL, URLSearchParams };
