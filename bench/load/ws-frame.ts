/**
 * The little of RFC 6455 a load generator needs: masked binary frames from the client (built once,
 * before the timed phase, so sending costs nothing but TLS) and an incremental reader of the
 * server's unmasked frames that hands out byte ranges instead of copies.
 */

export const OPCODE_BINARY = 0x2;
export const OPCODE_CLOSE = 0x8;

/** A complete client frame (FIN, binary, masked with `mask`, RFC 6455 §5.2–5.3) around `payload`. */
export function maskedBinaryFrame(payload: Uint8Array, mask: Uint8Array): Buffer {
  const n = payload.length;
  const header = n < 126 ? 2 : n < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + 4 + n);
  frame[0] = 0x80 | OPCODE_BINARY;
  if (n < 126) frame[1] = 0x80 | n;
  else if (n < 65536) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(n, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(n), 2);
  }
  frame.set(mask.subarray(0, 4), header);
  const at = header + 4;
  for (let i = 0; i < n; i++) frame[at + i] = payload[i] ^ mask[i & 3];
  return frame;
}

/** Called per complete server frame with its payload's range in `bytes` (valid during the call). */
export type OnServerFrame = (opcode: number, bytes: Buffer, start: number, end: number) => void;

/** Splits the server's byte stream into frames; a frame may span any number of chunks. */
export class ServerFrameReader {
  private pending: Buffer | undefined;

  push(chunk: Buffer, onFrame: OnServerFrame): void {
    let buf = chunk;
    if (this.pending !== undefined) {
      buf = Buffer.concat([this.pending, chunk]);
      this.pending = undefined;
    }
    let at = 0;
    const end = buf.length;
    while (end - at >= 2) {
      const opcode = buf[at] & 0x0f;
      const masked = (buf[at + 1] & 0x80) !== 0;
      let length = buf[at + 1] & 0x7f;
      let header = 2;
      if (length === 126) {
        if (end - at < 4) break;
        length = buf.readUInt16BE(at + 2);
        header = 4;
      } else if (length === 127) {
        if (end - at < 10) break;
        length = Number(buf.readBigUInt64BE(at + 2));
        header = 10;
      }
      // Servers never mask (§5.1); tolerate it rather than misparse the stream.
      const maskAt = at + header;
      if (masked) header += 4;
      if (end - at < header + length) break;
      const start = at + header;
      if (masked) for (let i = 0; i < length; i++) buf[start + i] ^= buf[maskAt + (i & 3)];
      onFrame(opcode, buf, start, start + length);
      at = start + length;
    }
    if (at < end) this.pending = buf.subarray(at);
  }
}
