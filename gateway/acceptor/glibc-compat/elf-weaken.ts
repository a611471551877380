/**
 * Marks a symbol-version requirement of an ELF64 little-endian shared object as weak
 * (VER_FLG_WEAK in its Vernaux entry). glibc's loader then no longer refuses the
 * object when that version is absent; the symbols bound to it can be supplied by an
 * object loaded earlier with RTLD_GLOBAL (see compat.c). Pure: works on a copy.
 */

const SHT_GNU_VERNEED = 0x6ffffffe;
const VER_FLG_WEAK = 0x2;

const EHDR_SIZE = 64;
const SHDR_MIN_SIZE = 64;
const VERNEED_SIZE = 16;
const VERNAUX_SIZE = 16;

interface SectionHeader {
  type: number;
  offset: number;
  size: number;
  link: number;
  info: number;
}

/** Returns a copy of `elf` in which every Vernaux entry named `version` has VER_FLG_WEAK set. */
export function weakenVersionNeed(elf: Buffer, version: string): Buffer {
  const sections = readSectionHeaders(elf);
  const verneed = sections.find((s) => s.type === SHT_GNU_VERNEED);
  if (verneed === undefined) {
    throw new Error('ELF has no .gnu.version_r (SHT_GNU_VERNEED) section: it requires no symbol versions');
  }
  const strtab = sections[verneed.link];
  if (strtab === undefined) {
    throw new Error(`ELF .gnu.version_r links to string table section ${verneed.link}, which does not exist`);
  }
  checkRange(elf, strtab.offset, strtab.size, 'string table of .gnu.version_r');
  checkRange(elf, verneed.offset, verneed.size, '.gnu.version_r');

  const out = Buffer.from(elf); // copy: the caller's buffer stays untouched
  const nameAt = (rel: number): string => readCString(elf, strtab, rel);
  const end = verneed.offset + verneed.size;
  let patched = 0;

  // sh_info holds the number of Verneed entries (one per needed library).
  let need = verneed.offset;
  for (let i = 0; i < verneed.info; i++) {
    checkRange(elf, need, VERNEED_SIZE, `Verneed entry ${i}`, end);
    const auxCount = elf.readUInt16LE(need + 2);
    let aux = need + elf.readUInt32LE(need + 8);
    for (let j = 0; j < auxCount; j++) {
      checkRange(elf, aux, VERNAUX_SIZE, `Vernaux entry ${j} of Verneed ${i}`, end);
      if (nameAt(elf.readUInt32LE(aux + 8)) === version) {
        out.writeUInt16LE(elf.readUInt16LE(aux + 4) | VER_FLG_WEAK, aux + 4);
        patched++;
      }
      const nextAux = elf.readUInt32LE(aux + 12);
      if (nextAux === 0) break;
      aux += nextAux;
    }
    const nextNeed = elf.readUInt32LE(need + 12);
    if (nextNeed === 0) break;
    need += nextNeed;
  }

  if (patched === 0) {
    throw new Error(`ELF does not require symbol version ${version} (no such Vernaux entry in .gnu.version_r)`);
  }
  return out;
}

function readSectionHeaders(elf: Buffer): SectionHeader[] {
  if (elf.length < EHDR_SIZE || elf.readUInt32BE(0) !== 0x7f454c46) {
    throw new Error('not an ELF file (missing \\x7fELF magic)');
  }
  if (elf[4] !== 2 || elf[5] !== 1) {
    throw new Error(`unsupported ELF: only 64-bit little-endian is handled (class ${elf[4]}, data ${elf[5]})`);
  }
  const shoff = toOffset(elf.readBigUInt64LE(0x28), 'e_shoff');
  const shentsize = elf.readUInt16LE(0x3a);
  let shnum = elf.readUInt16LE(0x3c);
  if (shoff === 0) throw new Error('ELF has no section header table');
  if (shentsize < SHDR_MIN_SIZE) throw new Error(`ELF e_shentsize ${shentsize} is smaller than an Elf64_Shdr`);

  // Extended numbering: with >= 0xff00 sections the real count lives in section 0's sh_size.
  if (shnum === 0) {
    checkRange(elf, shoff, shentsize, 'section header 0');
    shnum = toOffset(elf.readBigUInt64LE(shoff + 32), 'section 0 sh_size');
  }
  checkRange(elf, shoff, shnum * shentsize, 'section header table');

  const headers: SectionHeader[] = [];
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * shentsize;
    headers.push({
      type: elf.readUInt32LE(at + 4),
      offset: toOffset(elf.readBigUInt64LE(at + 24), `section ${i} sh_offset`),
      size: toOffset(elf.readBigUInt64LE(at + 32), `section ${i} sh_size`),
      link: elf.readUInt32LE(at + 40),
      info: elf.readUInt32LE(at + 44),
    });
  }
  return headers;
}

function readCString(elf: Buffer, strtab: SectionHeader, rel: number): string {
  if (rel >= strtab.size) throw new Error(`ELF string offset ${rel} lies outside its string table`);
  const start = strtab.offset + rel;
  const nul = elf.indexOf(0, start);
  if (nul === -1 || nul >= strtab.offset + strtab.size) {
    throw new Error(`ELF string at offset ${rel} is not NUL-terminated inside its string table`);
  }
  return elf.toString('latin1', start, nul);
}

function toOffset(value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`ELF ${what} is out of range`);
  return Number(value);
}

function checkRange(elf: Buffer, offset: number, size: number, what: string, limit = elf.length): void {
  if (offset + size > Math.min(limit, elf.length)) {
    throw new Error(`truncated or malformed ELF: ${what} extends past its bounds`);
  }
}
