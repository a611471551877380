/** /readyz's verdict: every worker slot listening, every reporting sink healthy, not draining. */
import { Readiness } from './readiness';

describe('Readiness', () => {
  it('is ready once every slot listens and no sink is unhealthy', () => {
    const r = new Readiness(2);
    expect(r.report()).toEqual({ ready: false, reasons: ['worker 0 is not listening', 'worker 1 is not listening'] });
    r.workerListening(0);
    r.workerListening(1);
    r.workerHealth(0, { kafka: true, logger: true });
    expect(r.report()).toEqual({ ready: true, reasons: [] });
  });

  it('names the unhealthy sink and the gone worker, and forgets a gone worker’s sinks', () => {
    const r = new Readiness(2);
    r.workerListening(0);
    r.workerListening(1);
    r.workerHealth(1, { kinesis: false });
    expect(r.report().reasons).toEqual(['sink kinesis is not connected in worker 1']);
    r.workerGone(1);
    expect(r.report().reasons).toEqual(['worker 1 is not listening']);
  });

  it('is never ready again once draining', () => {
    const r = new Readiness(1);
    r.workerListening(0);
    r.startDraining();
    expect(r.report()).toEqual({ ready: false, reasons: ['draining'] });
  });

  it('after a reload counts only the new generation’s slots', () => {
    const r = new Readiness(2);
    r.workerListening(0);
    r.workerListening(1);
    r.workerHealth(0, { kafka: false });
    r.workerListening(2);
    r.expect([2, 3]);
    expect(r.report().reasons).toEqual(['worker 3 is not listening']);
    r.workerListening(3);
    expect(r.report()).toEqual({ ready: true, reasons: [] });
  });
});
