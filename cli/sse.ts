/**
 * Server-Sent Events, read by hand from a fetch body (the WHATWG event-stream format, the parts
 * ramp's server uses): `event:` and `data:` fields, events ended by a blank line, comments
 * (`:keep-alive`) ignored, lines ended by CRLF, LF or CR, chunks split anywhere.
 */

export interface SseEvent {
  /** The `event:` field; "message" when absent. */
  event: string;
  /** The `data:` lines, joined by newlines. */
  data: string;
  /** The `id:` field, when given. */
  id?: string;
}

export class SseParser {
  private buffer = '';
  /** The last chunk ended in CR: a LF starting the next one belongs to it. */
  private afterCr = false;
  private event = '';
  private data: string[] = [];
  private id: string | undefined;

  /** Feeds decoded text; returns the events it completed. */
  push(text: string): SseEvent[] {
    if (this.afterCr && text.startsWith('\n')) text = text.slice(1);
    this.afterCr = false;
    this.buffer += text;
    const out: SseEvent[] = [];
    for (;;) {
      const end = this.buffer.search(/[\r\n]/);
      if (end < 0) break;
      // A CR at the very end may be the first half of a CRLF: wait for the next chunk.
      const cr = this.buffer[end] === '\r';
      if (cr && end === this.buffer.length - 1) {
        this.afterCr = true;
        const line = this.buffer.slice(0, end);
        this.buffer = '';
        this.line(line, out);
        break;
      }
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + (cr && this.buffer[end + 1] === '\n' ? 2 : 1));
      this.line(line, out);
    }
    return out;
  }

  /** The stream ended: an event without its blank line is dropped, as the format says. */
  end(): SseEvent[] {
    this.buffer = '';
    this.event = '';
    this.data = [];
    return [];
  }

  private line(line: string, out: SseEvent[]): void {
    if (line === '') {
      if (this.data.length > 0) out.push({ event: this.event || 'message', data: this.data.join('\n'), ...(this.id !== undefined ? { id: this.id } : {}) });
      this.event = '';
      this.data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id' && !value.includes('\0')) this.id = value;
    // retry and unknown fields: ignored
  }
}

/** Every event of a whole stream: the parser fed at once (for tests and small bodies). */
export function parseSse(text: string): SseEvent[] {
  const parser = new SseParser();
  return [...parser.push(text), ...parser.end()];
}

/** Reads a fetch body as events, decoding UTF-8 across chunk boundaries. */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      yield* parser.push(decoder.decode(value, { stream: true }));
    }
    yield* parser.push(decoder.decode());
    yield* parser.end();
  } finally {
    await reader.cancel().catch(() => {});
  }
}
