/** Rendering shared by commands: plain text for people, JSON for scripts. */

const ansi = (code: number) => (text: string) => `\u001b[${code}m${text}\u001b[0m`;
const plain = (text: string) => text;

export function palette(enabled: boolean) {
  return enabled
    ? { red: ansi(31), yellow: ansi(33), green: ansi(32), dim: ansi(2), bold: ansi(1) }
    : { red: plain, yellow: plain, green: plain, dim: plain, bold: plain };
}

export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
