/**
 * A test-only fault for the fault matrix: with `GATEWAY_TEST_FAULT=lane-throws-on:<text>` in its
 * environment, a dispatch lane throws after running any batch whose frames contain <text>, as a
 * lane that fails part-way would (its sinks may have the records; the main thread gets no result).
 * Off unless the variable names it; an unknown value stops the lane at startup.
 */
import { INDEX_STRIDE } from '../shared/batch';
import type { DispatchBatch } from '../shared/batch';

const LANE_THROWS_ON = 'lane-throws-on:';

export type LaneFault = (batch: DispatchBatch) => void;

export function laneFault(value: string | undefined = process.env.GATEWAY_TEST_FAULT): LaneFault | undefined {
  if (value === undefined || value === '') return undefined;
  if (!value.startsWith(LANE_THROWS_ON) || value.length === LANE_THROWS_ON.length)
    throw new Error(`GATEWAY_TEST_FAULT=${value}: the only fault is ${LANE_THROWS_ON}<text>`);
  const needle = Buffer.from(value.slice(LANE_THROWS_ON.length));
  return (batch) => {
    const index = new Float64Array(batch.index);
    for (let i = 0; i < batch.entries; i++) {
      const frame = Buffer.from(batch.frames, index[i * INDEX_STRIDE + 2], index[i * INDEX_STRIDE + 3]);
      if (frame.indexOf(needle) >= 0) throw new Error(`test fault: a frame of the batch holds "${needle.toString()}"`);
    }
  };
}
