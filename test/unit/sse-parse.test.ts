/**
 * The CLI's Server-Sent Events parser (cli/sse.ts): a table of streams and their events, and a
 * seeded fuzz — random events, random line endings, the stream cut into random chunks (through
 * the middle of a CRLF and of a multi-byte character) — that must give the same events as the
 * whole stream at once.
 *
 * Seeded: RAMP_FUZZ_SEED=<n> picks another set; every failure names the seed.
 */
import { FUZZ_SEED, prng } from '../support/random.js';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseSse, readSse, SseParser, type SseEvent } from '../../cli/sse.js';

const SEED = FUZZ_SEED;
const REPRODUCE = `seed ${SEED}; reproduce with RAMP_FUZZ_SEED=${SEED} npx tsx scripts/test.ts --no-check test/unit/sse-parse.test.ts`;

describe('SSE parsing (cli/sse.ts)', () => {
  const table: { name: string; stream: string; events: SseEvent[] }[] = [
    { name: 'one status event', stream: 'event: status\ndata: {"a":1}\n\n', events: [{ event: 'status', data: '{"a":1}' }] },
    { name: 'no event field is a message', stream: 'data: x\n\n', events: [{ event: 'message', data: 'x' }] },
    { name: 'data lines joined by newlines', stream: 'data: a\ndata: b\ndata:\n\n', events: [{ event: 'message', data: 'a\nb\n' }] },
    { name: 'one leading space stripped, no more', stream: 'data:  two\ndata:none\n\n', events: [{ event: 'message', data: ' two\nnone' }] },
    { name: 'comments (keep-alives) ignored', stream: ': ping\n\n:\nevent: end\ndata: {}\n\n', events: [{ event: 'end', data: '{}' }] },
    { name: 'CRLF line endings', stream: 'event: status\r\ndata: 1\r\n\r\n', events: [{ event: 'status', data: '1' }] },
    { name: 'CR line endings', stream: 'event: status\rdata: 1\r\r', events: [{ event: 'status', data: '1' }] },
    { name: 'an event without data is not dispatched', stream: 'event: status\n\nevent: end\ndata: {}\n\n', events: [{ event: 'end', data: '{}' }] },
    { name: 'an unfinished event at the end is dropped', stream: 'data: 1\n\ndata: 2\n', events: [{ event: 'message', data: '1' }] },
    {
      name: 'the event name does not leak into the next event',
      stream: 'event: end\ndata: 1\n\ndata: 2\n\n',
      events: [
        { event: 'end', data: '1' },
        { event: 'message', data: '2' },
      ],
    },
    { name: 'unknown fields and retry ignored', stream: 'retry: 10\nfoo: bar\nbare\ndata: z\n\n', events: [{ event: 'message', data: 'z' }] },
    { name: 'a colon in the value is kept', stream: 'data: {"at":"12:00:01"}\n\n', events: [{ event: 'message', data: '{"at":"12:00:01"}' }] },
    { name: 'id is kept', stream: 'id: 7\ndata: x\n\n', events: [{ event: 'message', data: 'x', id: '7' }] },
    { name: 'an empty stream', stream: '', events: [] },
  ];
  for (const { name, stream, events } of table) {
    test(name, () => assert.deepEqual(parseSse(stream), events));
  }

  test('a CRLF split between two chunks is one line end', () => {
    const parser = new SseParser();
    const out = [...parser.push('data: a\r'), ...parser.push('\n\r'), ...parser.push('\n'), ...parser.push('data: b\n\n')];
    assert.deepEqual(out, [
      { event: 'message', data: 'a' },
      { event: 'message', data: 'b' },
    ]);
  });

  test(`fuzz: any chunking of a stream gives the events of the whole (${REPRODUCE})`, async () => {
    const random = prng(SEED);
    const endings = ['\n', '\r\n', '\r'];
    const words = ['{"promotion":{"phase":"Running"}}', 'x', '', ' lead', 'ünïcødé ✔ ◌', 'a:b:c', '{}', '  '];
    for (let round = 0; round < 300; round++) {
      const expected: SseEvent[] = [];
      let stream = '';
      // One line ending per stream: a CR then a LF would be one CRLF.
      const ending = random.pick(endings);
      const eol = () => ending;
      for (let e = random.int(6); e > 0; e--) {
        if (random.chance(0.2)) stream += `: keep-alive${eol()}`;
        const event = random.chance(0.3) ? null : random.pick(['status', 'end', 'message']);
        const lines = Array.from({ length: 1 + random.int(3) }, () => random.pick(words));
        if (event !== null) stream += `event: ${event}${eol()}`;
        for (const line of lines) stream += `data: ${line}${eol()}`;
        stream += eol();
        expected.push({ event: event ?? 'message', data: lines.join('\n') });
      }
      assert.deepEqual(parseSse(stream), expected, `round ${round}: ${JSON.stringify(stream)}; ${REPRODUCE}`);

      // The same stream as bytes, cut anywhere (inside a CRLF, inside a character), through readSse.
      const bytes = new TextEncoder().encode(stream);
      const cuts = [...new Set(Array.from({ length: random.int(8) }, () => random.int(bytes.length + 1)))].sort((a, b) => a - b);
      const bounds = [0, ...cuts, bytes.length];
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 1; i < bounds.length; i++) controller.enqueue(bytes.slice(bounds[i - 1], bounds[i]));
          controller.close();
        },
      });
      const read: SseEvent[] = [];
      for await (const event of readSse(body)) read.push(event);
      assert.deepEqual(read, expected, `round ${round}, cuts ${cuts.join(',')}: ${JSON.stringify(stream)}; ${REPRODUCE}`);
    }
  });
});
