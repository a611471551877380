/**
 * One session's reply queue: its unsettled frames in arrival order. Replies leave from the head
 * only, so a settled entry waits for the entries that arrived before it.
 */
import type { SessionIdentity } from '../../shared/batch';
import type { Verdict } from './verdict';

/** Where a session's replies go. */
export interface ReplyWriter {
  readonly identity: SessionIdentity;
  /** False once the socket has closed: nothing may be written any more. */
  readonly isOpen: boolean;
  /** Runs `writeAll` so that the replies it writes leave together (one TLS record, one syscall). */
  corked(writeAll: () => void): void;
  write(reply: Uint8Array): void;
}

/** One vehicle frame's reply, from arrival until written (or dropped). */
export interface ReplyEntry {
  /** Its id for the lanes' Settlements. */
  readonly ticket: number;
  readonly queue: ReplyQueue;
  verdict: Verdict;
  /** The reply bytes from the batch result (ACK or ERROR); undefined until then or if none. */
  reply: Uint8Array | undefined;
  /** Its batch result came back. */
  returned: boolean;
  /** Delivery confirmations owed (known once returned; -1 once settled), and received. */
  owed: number;
  confirmed: number;
  /** The §11.2 `reliable_ack` labels of the confirmation that made this a reliable ACK. */
  confirmedBy: { record_type: string; dispatcher: string } | undefined;
}

export class ReplyQueue {
  private entries: ReplyEntry[] = [];
  private head = 0;

  constructor(readonly writer: ReplyWriter) {}

  /** Frames of this session not settled and written yet: its in-flight count. */
  get length(): number {
    return this.entries.length - this.head;
  }

  push(entry: ReplyEntry): void {
    this.entries.push(entry);
  }

  get headSettled(): boolean {
    return this.head < this.entries.length && this.entries[this.head].owed === -1;
  }

  /** Takes the settled entries off the head, writing the reply `render` gives each, corked. */
  writeSettled(render: (entry: ReplyEntry, open: boolean) => Uint8Array | undefined): void {
    const take = () => {
      while (this.headSettled) {
        const entry = this.entries[this.head++];
        const reply = render(entry, this.writer.isOpen);
        if (reply !== undefined && this.writer.isOpen) this.writer.write(reply);
      }
      if (this.head > 64 && this.head * 2 > this.entries.length) {
        this.entries = this.entries.slice(this.head);
        this.head = 0;
      }
    };
    if (this.writer.isOpen) this.writer.corked(take);
    else take();
  }
}
