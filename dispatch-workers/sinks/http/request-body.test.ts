import { createHmac } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { recordMetadata } from '../../../shared/record';
import { bodyLength, recordJson, requestBody, signature } from './request-body';

const r = (vin: string, payload: Uint8Array, txid = 't1') => ({
  recordType: 'V',
  vin,
  txid,
  metadata: recordMetadata(vin, 1700000000000, txid, 'V', '2024.1'),
  payload,
});

describe('webhook request body', () => {
  it('one record: its fields, the metadata, and the payload in base64 (or inline JSON when decoded)', () => {
    const json = recordJson(r('VIN1', new Uint8Array([1, 2, 255])), false);
    expect(JSON.parse(json)).toEqual({
      record_type: 'V',
      vin: 'VIN1',
      txid: 't1',
      metadata: {
        device_client_version: '2024.1',
        receivedat: '1700000000000',
        timestamp: '0',
        txid: 't1',
        txtype: 'V',
        version: '0',
        vin: 'VIN1',
      },
      payload: 'AQL/',
    });
    const decoded = recordJson(r('VIN1', Buffer.from('{"data":[{"key":"Soc"}]}')), true);
    expect(JSON.parse(decoded).data).toEqual({ data: [{ key: 'Soc' }] });
  });

  it('json is an array, ndjson one object per line; bodyLength predicts the size', () => {
    const recs = ['{"a":1}', '{"b":2}'];
    const json = requestBody(recs, { format: 'json', gzip: false, hmacSecret: '', signatureHeader: 'x' });
    expect(json.bytes.toString()).toBe('[{"a":1},{"b":2}]');
    expect(json.headers).toEqual({ 'content-type': 'application/json' });
    expect(bodyLength('json', 2, 14)).toBe(json.bytes.length);
    const nd = requestBody(recs, { format: 'ndjson', gzip: false, hmacSecret: '', signatureHeader: 'x' });
    expect(nd.bytes.toString()).toBe('{"a":1}\n{"b":2}\n');
    expect(nd.headers['content-type']).toBe('application/x-ndjson');
    expect(bodyLength('ndjson', 2, 14)).toBe(nd.bytes.length);
  });

  it('gzip, and an HMAC-SHA256 signature over the bytes as sent', () => {
    const body = requestBody(['{"a":1}'], { format: 'json', gzip: true, hmacSecret: 's3cret', signatureHeader: 'X-Signature-256' });
    expect(gunzipSync(body.bytes).toString()).toBe('[{"a":1}]');
    expect(body.headers['content-encoding']).toBe('gzip');
    const expected = 'sha256=' + createHmac('sha256', 's3cret').update(body.bytes).digest('hex');
    expect(body.headers['x-signature-256']).toBe(expected);
    expect(signature('k', Buffer.from('x'))).toBe('sha256=' + createHmac('sha256', 'k').update('x').digest('hex'));
  });
});
