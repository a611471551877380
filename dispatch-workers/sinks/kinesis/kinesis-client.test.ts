import { createKinesisClient, endpointUrl } from './kinesis-client';

describe('Kinesis client set-up (PROTOCOL.md §10.2)', () => {
  it('override_host: an endpoint URL; a bare host means https, as in the Go SDK', () => {
    expect(endpointUrl('')).toBeUndefined();
    expect(endpointUrl('http://kinesis:4566')).toBe('http://kinesis:4566');
    expect(endpointUrl('kinesis.eu-west-1.amazonaws.com')).toBe('https://kinesis.eu-west-1.amazonaws.com');
  });

  it('takes AWS_DEFAULT_REGION when AWS_REGION is unset, and AWS_REGION before it', async () => {
    const env: NodeJS.ProcessEnv = { AWS_DEFAULT_REGION: 'eu-west-1' };
    const fromDefault = createKinesisClient({ override_host: '', http_version: '1.1' }, env);
    expect(await fromDefault.config.region()).toBe('eu-west-1');
    expect(env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).toBe('true');
    fromDefault.destroy();
  });

  it('sets the endpoint from override_host and turns the SDK’s own retries off', async () => {
    const client = createKinesisClient({ override_host: 'http://127.0.0.1:4567', http_version: '2' }, { AWS_REGION: 'us-east-1' });
    const endpoint = await client.config.endpoint?.();
    expect(endpoint?.hostname).toBe('127.0.0.1');
    expect(endpoint?.port).toBe(4567);
    expect(await client.config.maxAttempts()).toBe(1);
    client.destroy();
  });
});
