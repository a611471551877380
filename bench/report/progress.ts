/** Progress of long phases on stderr: one rewritten line on a terminal, a line every few seconds otherwise. */
const NON_TTY_EVERY_MS = 5_000;

let lastPrinted = 0;
let lineOpen = false;

export function progress(text: string): void {
  if (process.stderr.isTTY) {
    process.stderr.write(`\r\x1b[2K${text}`);
    lineOpen = true;
    return;
  }
  const now = Date.now();
  if (now - lastPrinted < NON_TTY_EVERY_MS) return;
  lastPrinted = now;
  process.stderr.write(`${text}\n`);
}

/** A message that stays (phase start/end); ends a rewritten progress line first. */
export function note(text: string): void {
  if (lineOpen) process.stderr.write('\n');
  lineOpen = false;
  lastPrinted = 0;
  process.stderr.write(`${text}\n`);
}
