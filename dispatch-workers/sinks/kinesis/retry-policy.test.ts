import { attemptsFor, describeError, isRetryableCallError, isRetryableEntryError, retryDelayMs } from './retry-policy';

const sdkError = (name: string, fault: 'client' | 'server', message = 'm') => Object.assign(new Error(message), { name, $fault: fault });

describe('Kinesis retry policy', () => {
  it('max_retries → attempts: 1 + retries; negative = the AWS SDK default (3 retries)', () => {
    expect(attemptsFor(0)).toBe(1);
    expect(attemptsFor(1)).toBe(2);
    expect(attemptsFor(5)).toBe(6);
    expect(attemptsFor(-1)).toBe(4);
  });

  it('retries throttled and failed entries, not KMS key errors', () => {
    expect(isRetryableEntryError('ProvisionedThroughputExceededException')).toBe(true);
    expect(isRetryableEntryError('InternalFailure')).toBe(true);
    expect(isRetryableEntryError('KMSThrottlingException')).toBe(true);
    expect(isRetryableEntryError('KMSAccessDeniedException')).toBe(false);
    expect(isRetryableEntryError('KMSDisabledException')).toBe(false);
  });

  it('retries network errors, 5xx and throttling; not other client faults', () => {
    expect(isRetryableCallError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isRetryableCallError(sdkError('InternalFailure', 'server'))).toBe(true);
    expect(isRetryableCallError(sdkError('ProvisionedThroughputExceededException', 'client'))).toBe(true);
    expect(isRetryableCallError(sdkError('LimitExceededException', 'client'))).toBe(true);
    expect(isRetryableCallError(sdkError('ResourceNotFoundException', 'client'))).toBe(false);
    expect(isRetryableCallError(sdkError('AccessDeniedException', 'client'))).toBe(false);
    expect(isRetryableCallError(sdkError('ValidationException', 'client'))).toBe(false);
    expect(isRetryableCallError('odd')).toBe(true);
  });

  it('backs off exponentially from 100 ms, capped at 5 s, with jitter in [ceiling/2, ceiling]', () => {
    expect(retryDelayMs(1, () => 0)).toBe(50);
    expect(retryDelayMs(1, () => 1)).toBe(100);
    expect(retryDelayMs(3, () => 1)).toBe(400);
    expect(retryDelayMs(20, () => 1)).toBe(5000);
    expect(retryDelayMs(20, () => 0)).toBe(2500);
  });

  it('describes errors for logs', () => {
    expect(describeError(sdkError('ResourceNotFoundException', 'client', 'Stream s not found'))).toBe(
      'ResourceNotFoundException: Stream s not found',
    );
    expect(describeError(new Error('connect ECONNREFUSED 127.0.0.1:1'))).toBe('connect ECONNREFUSED 127.0.0.1:1');
    expect(describeError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe('ECONNRESET: socket hang up');
    const aggregate = new AggregateError([new Error('connect ECONNREFUSED ::1:1'), new Error('connect ECONNREFUSED 127.0.0.1:1')], '');
    expect(describeError(aggregate)).toBe('connect ECONNREFUSED ::1:1');
    expect(describeError('text')).toBe('text');
  });
});
