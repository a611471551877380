/**
 * Request header values as text. uWebSockets.js hands each header byte over as one UTF-16 unit
 * (Latin-1), while the reference keeps the bytes and consumers read them as UTF-8: a `Version` of
 * `2024.1 ü` arrives here as `2024.1 Ã¼`. The bytes are recovered and read as UTF-8.
 */
const fatal = new TextDecoder('utf-8', { fatal: true });
const lossy = new TextDecoder('utf-8');

/** The UTF-8 text of a header value; `exact` is false when its bytes are not valid UTF-8 (then U+FFFD stands for them). */
export function headerText(latin1: string): { text: string; exact: boolean } {
  if (/^[\u0000-\u007f]*$/.test(latin1)) return { text: latin1, exact: true };
  const bytes = Buffer.from(latin1, 'latin1');
  try {
    return { text: fatal.decode(bytes), exact: true };
  } catch {
    return { text: lossy.decode(bytes), exact: false };
  }
}
