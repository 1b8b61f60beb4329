/** A Temporal address, `host:port` or `[v6]:port`. */
export interface Target {
  host: string;
  port: number;
}

/** The host and port of `host:port` or `[v6]:port`; null for anything else. */
export function splitAddress(address: string): Target | null {
  const match = /^(?:\[([^\]]+)\]|([^:[\]\s/]+)):(\d{1,5})$/.exec(address.trim());
  if (!match) return null;
  const port = Number(match[3]);
  return port > 0 && port <= 65_535 ? { host: (match[1] ?? match[2])!, port } : null;
}
