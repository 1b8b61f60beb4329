/**
 * The TCP ports a process listens on, read from /proc (Linux): its socket file descriptors
 * (/proc/<pid>/fd → socket:[inode]) matched against the listening sockets of its network
 * namespace (/proc/<pid>/net/tcp and tcp6, state 0A). The benches use it to find a port a
 * process picked itself and does not print (Temporal Core's loopback metrics exporter).
 */
import { readFile, readdir, readlink } from 'node:fs/promises';

const LISTEN = '0A';

/** The socket inodes among `pid`'s open file descriptors. */
async function socketInodes(pid: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  for (const fd of await readdir(`/proc/${pid}/fd`)) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode !== undefined) inodes.add(inode);
  }
  return inodes;
}

/** Listening ports in one /proc/net/tcp{,6} table whose socket inode is in `inodes`. */
export function listeningPorts(table: string, inodes: ReadonlySet<string>): number[] {
  const ports: number[] = [];
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
    const [local, state, inode] = [fields[1], fields[3], fields[9]];
    if (local === undefined || state !== LISTEN || inode === undefined || !inodes.has(inode)) continue;
    ports.push(Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16));
  }
  return ports;
}

/** Every TCP port `pid` listens on (IPv4 and IPv6), sorted. */
export async function processListeningPorts(pid: number): Promise<number[]> {
  const inodes = await socketInodes(pid);
  const tables = await Promise.all(['tcp', 'tcp6'].map((t) => readFile(`/proc/${pid}/net/${t}`, 'utf8').catch(() => '')));
  return [...new Set(tables.flatMap((table) => listeningPorts(table, inodes)))].sort((a, b) => a - b);
}
