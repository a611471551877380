import { checkPubsubSetup } from './startup-checks';

describe('Pub/Sub startup checks (PROTOCOL.md §10.3)', () => {
  it('refuses an empty project id with upstream’s text', () => {
    expect(() => checkPubsubSetup('', {})).toThrow(/^pubsub_connect_error GCP Project ID cannot be empty$/);
  });

  it('refuses the emulator and GCP credentials together, even when set to empty strings', () => {
    const text = /^pubsub_connect_error pubsub cannot initialize with both emulator and GCP resource$/;
    expect(() => checkPubsubSetup('p', { PUBSUB_EMULATOR_HOST: '127.0.0.1:8085', GOOGLE_APPLICATION_CREDENTIALS: '/k.json' })).toThrow(
      text,
    );
    expect(() => checkPubsubSetup('p', { PUBSUB_EMULATOR_HOST: '', GOOGLE_APPLICATION_CREDENTIALS: '' })).toThrow(text);
  });

  it('accepts either one alone, or neither', () => {
    expect(() => checkPubsubSetup('p', { PUBSUB_EMULATOR_HOST: '127.0.0.1:8085' })).not.toThrow();
    expect(() => checkPubsubSetup('p', { GOOGLE_APPLICATION_CREDENTIALS: '/k.json' })).not.toThrow();
    expect(() => checkPubsubSetup('p', {})).not.toThrow();
  });

  it('checks the project id first', () => {
    expect(() => checkPubsubSetup('', { PUBSUB_EMULATOR_HOST: '', GOOGLE_APPLICATION_CREDENTIALS: '' })).toThrow(/Project ID/);
  });
});
