import { countIn } from './listening-sockets';

const SAMPLE = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:A1B2 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1001 1 0000000000000000 100 0 0 10 0
   1: 0100007F:A1B2 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1002 1 0000000000000000 100 0 0 10 0
   2: 0100007F:A1B2 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 1003 1 0000000000000000 20 4 30 10 -1
   3: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1004 1 0000000000000000 100 0 0 10 0
`;

describe('countIn /proc/net/tcp', () => {
  it('counts the listening sockets on a port (one per SO_REUSEPORT worker), not its connections', () => {
    expect(countIn(SAMPLE, 0xa1b2)).toBe(2);
    expect(countIn(SAMPLE, 8080)).toBe(1);
    expect(countIn(SAMPLE, 443)).toBe(0);
  });
});
