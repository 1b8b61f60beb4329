/**
 * bench/listening-ports.ts: a process's listening ports from a /proc/net/tcp table, kept only
 * for the socket inodes the process holds (how bench/metrics.ts finds Temporal Core's exporter).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listeningPorts } from '../../bench/listening-ports.js';

const HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';
const row = (local: string, state: string, inode: string) =>
  `   0: ${local} 00000000:0000 ${state} 00000000:00000000 00:00000000 00000000     0        0 ${inode} 1 0000000000000000 100 0 0 10 0`;

const cases: { name: string; rows: string[]; inodes: string[]; ports: number[] }[] = [
  { name: 'a listening socket of the process', rows: [row('0100007F:1F90', '0A', '111')], inodes: ['111'], ports: [8080] },
  { name: "another process's listening socket", rows: [row('0100007F:1F90', '0A', '222')], inodes: ['111'], ports: [] },
  { name: 'an established connection of the process', rows: [row('0100007F:1F90', '01', '111')], inodes: ['111'], ports: [] },
  {
    name: 'IPv6 and several sockets, in table order',
    rows: [row('00000000000000000000000001000000:24E8', '0A', '7'), row('00000000:0050', '0A', '8'), row('0100007F:0051', '0A', '9')],
    inodes: ['7', '8'],
    ports: [9448, 80],
  },
  { name: 'an empty table', rows: [], inodes: ['1'], ports: [] },
];

for (const c of cases) {
  test(`listeningPorts: ${c.name}`, () => {
    assert.deepEqual(listeningPorts([HEADER, ...c.rows, ''].join('\n'), new Set(c.inodes)), c.ports);
  });
}
