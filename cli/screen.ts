/** Drawing a live view in place on a terminal: no scrolling, so the scrollback keeps no copies. */

const ESC = '\u001b[';

/**
 * The bytes that draw `lines` from the top of the screen: each line cleared before it is
 * written (a line as wide as the screen would erase its own last character if cleared after),
 * then everything below cleared. The first frame clears the screen first (terminals keep what
 * was there in their scrollback). Lines must already fit the screen (renderStatusScreen).
 */
export function redrawScreen(lines: readonly string[], first: boolean): string {
  return `${first ? `${ESC}2J` : ''}${ESC}H${lines.map((line) => `${ESC}2K${line}`).join('\n')}\n${ESC}J`;
}
