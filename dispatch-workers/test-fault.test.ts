import { EntryKind, INDEX_STRIDE } from '../shared/batch';
import type { DispatchBatch } from '../shared/batch';
import { laneFault } from './test-fault';

function batch(frames: string[], stale = ''): DispatchBatch {
  const bytes = Buffer.from(frames.join('') + stale);
  const index = new Float64Array(frames.length * INDEX_STRIDE);
  let at = 0;
  frames.forEach((f, i) => {
    index.set([EntryKind.Frame, 0, at, f.length, 0, i + 1], i * INDEX_STRIDE);
    at += f.length;
  });
  return {
    frames: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
    index: index.buffer,
    entries: frames.length,
    sessions: [],
  };
}

describe('laneFault (GATEWAY_TEST_FAULT)', () => {
  it('is off unless the variable names a fault, and refuses an unknown one', () => {
    expect(laneFault(undefined)).toBeUndefined();
    expect(laneFault('')).toBeUndefined();
    expect(() => laneFault('crash')).toThrow(/lane-throws-on:<text>/);
  });

  it('throws for a batch with a frame holding the text, not for bytes left over from an earlier batch', () => {
    const fault = laneFault('lane-throws-on:FAULT')!;
    expect(() => fault(batch(['abc', 'xFAULTy']))).toThrow(/test fault/);
    expect(() => fault(batch(['abc', 'def'], 'FAULT'))).not.toThrow();
  });
});
