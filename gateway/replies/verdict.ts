/** A frame's reply verdict; a larger value is worse, and the worst one a frame gets wins. */
export const Verdict = {
  Ack: 0,
  Error: 1,
  /** No reply: a sink refused the record, its delivery failed, or its batch failed (D6: the vehicle resends). */
  NoReply: 2,
} as const;
export type Verdict = (typeof Verdict)[keyof typeof Verdict];
