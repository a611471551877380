import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { weakenVersionNeed } from './elf-weaken';

const SHT_STRTAB = 3;
const SHT_GNU_VERNEED = 0x6ffffffe;

interface Need {
  file: string;
  versions: { name: string; flags: number }[];
}

/** Builds the smallest ELF64 LE object readelf would accept: header, .dynstr, .gnu.version_r, section table. */
function buildElf(needs: Need[]): { elf: Buffer; flagOffsets: Map<string, number[]> } {
  const strings: string[] = [''];
  const strOff = (s: string): number => {
    let off = 0;
    for (const existing of strings) {
      if (existing === s) return off;
      off += Buffer.byteLength(existing) + 1;
    }
    strings.push(s);
    return off;
  };
  needs.forEach((n) => {
    strOff(n.file);
    n.versions.forEach((v) => strOff(v.name));
  });
  const dynstr = Buffer.concat(strings.map((s) => Buffer.from(`${s}\0`, 'latin1')));

  const dynstrAt = 64;
  const verneedAt = dynstrAt + dynstr.length + ((8 - (dynstr.length % 8)) % 8);
  const flagOffsets = new Map<string, number[]>();
  const records: Buffer[] = [];
  let cursor = verneedAt;
  needs.forEach((n, i) => {
    const need = Buffer.alloc(16);
    need.writeUInt16LE(1, 0);
    need.writeUInt16LE(n.versions.length, 2);
    need.writeUInt32LE(strOff(n.file), 4);
    need.writeUInt32LE(16, 8); // aux entries follow directly
    const recordSize = 16 + 16 * n.versions.length;
    need.writeUInt32LE(i === needs.length - 1 ? 0 : recordSize, 12);
    records.push(need);
    n.versions.forEach((v, j) => {
      const aux = Buffer.alloc(16);
      aux.writeUInt16LE(v.flags, 4);
      aux.writeUInt16LE(2 + j, 6);
      aux.writeUInt32LE(strOff(v.name), 8);
      aux.writeUInt32LE(j === n.versions.length - 1 ? 0 : 16, 12);
      records.push(aux);
      const at = cursor + 16 + 16 * j + 4;
      flagOffsets.set(v.name, [...(flagOffsets.get(v.name) ?? []), at]);
    });
    cursor += recordSize;
  });
  const verneed = Buffer.concat(records);
  const shoff = verneedAt + verneed.length;

  const shdr = (type: number, offset: number, size: number, link: number, info: number): Buffer => {
    const b = Buffer.alloc(64);
    b.writeUInt32LE(type, 4);
    b.writeBigUInt64LE(BigInt(offset), 24);
    b.writeBigUInt64LE(BigInt(size), 32);
    b.writeUInt32LE(link, 40);
    b.writeUInt32LE(info, 44);
    return b;
  };
  const header = Buffer.alloc(64);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]).copy(header);
  header.writeUInt16LE(3, 0x10); // ET_DYN
  header.writeUInt16LE(62, 0x12); // EM_X86_64
  header.writeBigUInt64LE(BigInt(shoff), 0x28);
  header.writeUInt16LE(64, 0x34);
  header.writeUInt16LE(64, 0x3a);
  header.writeUInt16LE(3, 0x3c);

  const elf = Buffer.alloc(shoff + 3 * 64);
  header.copy(elf, 0);
  dynstr.copy(elf, dynstrAt);
  verneed.copy(elf, verneedAt);
  shdr(0, 0, 0, 0, 0).copy(elf, shoff);
  shdr(SHT_STRTAB, dynstrAt, dynstr.length, 0, 0).copy(elf, shoff + 64);
  shdr(SHT_GNU_VERNEED, verneedAt, verneed.length, 1, needs.length).copy(elf, shoff + 128);
  return { elf, flagOffsets };
}

const sample: Need[] = [
  { file: 'libm.so.6', versions: [{ name: 'GLIBC_2.27', flags: 0 }] },
  {
    file: 'libc.so.6',
    versions: [
      { name: 'GLIBC_2.3.2', flags: 0 },
      { name: 'GLIBC_2.38', flags: 0 },
      { name: 'GLIBC_2.2.5', flags: 0 },
    ],
  },
];

/** Offsets at which two equally long buffers differ. */
function diffOffsets(a: Buffer, b: Buffer): number[] {
  expect(b.length).toBe(a.length);
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) out.push(i);
  return out;
}

describe('weakenVersionNeed (synthetic ELF)', () => {
  it('sets VER_FLG_WEAK on the named Vernaux entry and changes nothing else', () => {
    const { elf, flagOffsets } = buildElf(sample);
    const before = Buffer.from(elf);
    const out = weakenVersionNeed(elf, 'GLIBC_2.38');
    const at = flagOffsets.get('GLIBC_2.38')?.[0] ?? -1;
    expect(out.readUInt16LE(at)).toBe(2);
    expect(diffOffsets(elf, out)).toEqual([at]);
    expect(elf.equals(before)).toBe(true); // input untouched
  });

  it('keeps flags already present and is idempotent', () => {
    const { elf, flagOffsets } = buildElf([{ file: 'libc.so.6', versions: [{ name: 'GLIBC_2.38', flags: 0x1 }] }]);
    const once = weakenVersionNeed(elf, 'GLIBC_2.38');
    const at = flagOffsets.get('GLIBC_2.38')?.[0] ?? -1;
    expect(once.readUInt16LE(at)).toBe(0x3);
    expect(weakenVersionNeed(once, 'GLIBC_2.38').equals(once)).toBe(true);
  });

  it('weakens the version wherever it is required', () => {
    const { elf, flagOffsets } = buildElf([
      { file: 'libm.so.6', versions: [{ name: 'GLIBC_2.38', flags: 0 }] },
      { file: 'libc.so.6', versions: [{ name: 'GLIBC_2.38', flags: 0 }] },
    ]);
    expect(diffOffsets(elf, weakenVersionNeed(elf, 'GLIBC_2.38'))).toEqual(flagOffsets.get('GLIBC_2.38'));
  });

  it('rejects non-ELF input', () => {
    expect(() => weakenVersionNeed(Buffer.from('#!/bin/sh\necho hi\n'.padEnd(80)), 'GLIBC_2.38')).toThrow(/not an ELF file/);
    expect(() => weakenVersionNeed(Buffer.alloc(10), 'GLIBC_2.38')).toThrow(/not an ELF file/);
  });

  it('rejects 32-bit or big-endian ELF', () => {
    const { elf } = buildElf(sample);
    elf[4] = 1;
    expect(() => weakenVersionNeed(elf, 'GLIBC_2.38')).toThrow(/only 64-bit little-endian/);
  });

  it('reports a version that is not required', () => {
    const { elf } = buildElf(sample);
    expect(() => weakenVersionNeed(elf, 'GLIBC_2.99')).toThrow(/does not require symbol version GLIBC_2\.99/);
  });

  it('reports a missing .gnu.version_r section', () => {
    const { elf } = buildElf(sample);
    const shoff = Number(elf.readBigUInt64LE(0x28));
    elf.writeUInt32LE(1, shoff + 128 + 4); // turn SHT_GNU_VERNEED into SHT_PROGBITS
    expect(() => weakenVersionNeed(elf, 'GLIBC_2.38')).toThrow(/no \.gnu\.version_r/);
  });

  it('reports truncated input instead of reading out of bounds', () => {
    const { elf } = buildElf(sample);
    expect(() => weakenVersionNeed(elf.subarray(0, elf.length - 10), 'GLIBC_2.38')).toThrow(/truncated or malformed/);
  });
});

const pkgDir = join(__dirname, '..', '..', '..', 'node_modules', '@btc-vision', 'uwebsockets.js');
const realBinary = join(pkgDir, `uws_linux_x64_${process.versions.modules}.node`);

// The shipped linux-x64 binary is platform-independent input here, so this runs on any host.
(existsSync(realBinary) ? describe : describe.skip)('weakenVersionNeed (real uWS binary)', () => {
  it('flips exactly the GLIBC_2.38 flag byte, from 0 to VER_FLG_WEAK', () => {
    const original = readFileSync(realBinary);
    const patched = weakenVersionNeed(original, 'GLIBC_2.38');
    const diff = diffOffsets(original, patched);
    expect(diff).toHaveLength(1);
    const at = diff[0] as number;
    expect(original[at]).toBe(0);
    expect(patched[at]).toBe(2);
  });
});
