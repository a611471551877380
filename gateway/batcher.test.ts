/** The batcher finishes every batch, whatever happens to its result, so drain never waits it out. */
import { EntryKind, Outcome } from '../shared/batch';
import type { DispatchBatch, DispatchResult } from '../shared/batch';
import { LaneBatcher } from './batcher';
import type { BatchVerdicts } from './batcher';
import type { ReplyEntry } from './replies/reply-queue';
import { resultOf } from '../test/harness/reply-fakes';

const identity = { socketId: 's', deviceId: 'VIN1', senderId: 'vehicle_device.VIN1', clientVersion: '' };
const entry = { ticket: 7 } as ReplyEntry;

function batcher(run: (batch: DispatchBatch) => Promise<DispatchResult>, verdicts: BatchVerdicts) {
  return new LaneBatcher({ maxFrames: 4, maxBytes: 1024 }, run, verdicts);
}

describe('LaneBatcher', () => {
  it('carries each entry’s ledger ticket to the lane and hands the result back with the entries', async () => {
    const seen: { tickets: number[]; entries: readonly (ReplyEntry | undefined)[] }[] = [];
    const b = batcher(
      async (batch) => {
        const index = new Float64Array(batch.index);
        seen.push({ tickets: [index[5], index[6 + 5]], entries: [] });
        return resultOf([Outcome.Ack, Outcome.None], ['a', '']);
      },
      { returned: (_r, entries) => (seen[0].entries = entries), failed: () => undefined },
    );
    b.add(identity, EntryKind.Frame, Uint8Array.of(1), 0, entry);
    b.add(identity, EntryKind.Connectivity, Uint8Array.of(2), 0, undefined);
    b.flush();
    await b.idle();
    expect(seen[0].tickets).toEqual([7, 0]);
    expect(seen[0].entries).toEqual([entry, undefined]);
  });

  it('fails a batch whose verdicts throw, and still becomes idle', async () => {
    const failed: unknown[] = [];
    const b = batcher(async () => resultOf([Outcome.Ack], ['a']), {
      returned: () => {
        throw new Error('bug');
      },
      failed: (error) => failed.push(error),
    });
    b.add(identity, EntryKind.Frame, Uint8Array.of(1), 0, entry);
    b.flush();
    await b.idle();
    expect(failed).toHaveLength(1);
  });

  it('hands a rejected batch’s entries to `failed` and becomes idle', async () => {
    const failed: (readonly (ReplyEntry | undefined)[])[] = [];
    const b = batcher(() => Promise.reject(new Error('lane died')), {
      returned: () => undefined,
      failed: (_e, entries) => failed.push(entries),
    });
    b.add(identity, EntryKind.Frame, Uint8Array.of(1), 0, entry);
    b.flush();
    await b.idle();
    expect(failed).toEqual([[entry]]);
  });
});
