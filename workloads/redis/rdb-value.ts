// One value in Redis's RDB format, as DUMP carries it: the object type byte, RDB length and string
// encodings, then RDB version 9 and CRC-64/Jones, both little-endian (createDumpPayload). Redis 5 loads
// what this writes (plain list/set/hash/zset-2 types, strings integer-encoded or plain, never LZF-compressed,
// so the bytes differ from Redis's own DUMP); reading takes those types plus LZF strings, not ziplists/intsets.

const RDB_VERSION = 9;

export const RDB_TYPE = { string: 0, list: 1, set: 2, hash: 4, zset2: 5 } as const;

const CRC_TABLE: bigint[] = (() => {
  const poly = 0x95ac9329ac4bc9b5n; // 0xad93d23594c935a9 reflected
  const table: bigint[] = [];
  for (let i = 0n; i < 256n; i++) {
    let crc = i;
    for (let k = 0; k < 8; k++) crc = crc & 1n ? (crc >> 1n) ^ poly : crc >> 1n;
    table.push(crc);
  }
  return table;
})();

/** Redis crc64.c (Jones polynomial, reflected): crc64(0, "123456789") is 0xe9c6d914c4b8d9ca. */
export function crc64(bytes: Uint8Array, crc = 0n): bigint {
  for (const b of bytes) crc = CRC_TABLE[Number((crc ^ BigInt(b)) & 0xffn)]! ^ (crc >> 8n);
  return crc;
}

export class RdbWriter {
  #parts: number[] = [];

  byte(b: number): void {
    this.#parts.push(b & 0xff);
  }

  /** rdbSaveLen: 6-bit, 14-bit, or 32/64-bit big-endian lengths. */
  length(n: number): void {
    if (n < 1 << 6) this.byte(n);
    else if (n < 1 << 14) {
      this.byte(0x40 | (n >> 8));
      this.byte(n);
    } else if (n <= 0xffffffff) {
      this.byte(0x80);
      for (let s = 24; s >= 0; s -= 8) this.byte(n >>> s);
    } else {
      this.byte(0x81);
      const v = BigInt(n);
      for (let s = 56n; s >= 0n; s -= 8n) this.byte(Number((v >> s) & 0xffn));
    }
  }

  /** rdbSaveRawString: an integer of up to 11 bytes that round-trips is stored as INT8/16/32. */
  string(b: Uint8Array): void {
    if (b.length > 0 && b.length <= 11) {
      const s = String.fromCharCode(...b);
      if (/^-?[1-9][0-9]*$|^0$/.test(s)) {
        const v = Number(s);
        if (v >= -128 && v <= 127) return this.#int(0xc0, v, 1);
        if (v >= -32768 && v <= 32767) return this.#int(0xc1, v, 2);
        if (v >= -2147483648 && v <= 2147483647) return this.#int(0xc2, v, 4);
      }
    }
    this.length(b.length);
    for (const x of b) this.#parts.push(x);
  }

  #int(tag: number, v: number, bytes: number): void {
    this.byte(tag);
    for (let i = 0; i < bytes; i++) this.byte(v >> (8 * i));
  }

  /** rdbSaveBinaryDoubleValue: the IEEE bytes, little-endian. */
  double(d: number): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, d, true);
    for (const x of b) this.#parts.push(x);
  }

  /** The payload with its footer: RDB version, then the CRC of everything before it. */
  dumpPayload(): Uint8Array {
    this.byte(RDB_VERSION);
    this.byte(0);
    const body = Uint8Array.from(this.#parts);
    const crc = crc64(body);
    const out = new Uint8Array(body.length + 8);
    out.set(body);
    for (let i = 0; i < 8; i++) out[body.length + i] = Number((crc >> BigInt(8 * i)) & 0xffn);
    return out;
  }
}

/** verifyDumpPayload: at least the footer, a version Redis 5 knows, a matching CRC. */
export function verifyDumpPayload(p: Uint8Array): boolean {
  if (p.length < 10) return false;
  const version = p[p.length - 10]! | (p[p.length - 9]! << 8);
  if (version > RDB_VERSION) return false;
  const crc = crc64(p.subarray(0, p.length - 8));
  for (let i = 0; i < 8; i++) if (p[p.length - 8 + i] !== Number((crc >> BigInt(8 * i)) & 0xffn)) return false;
  return true;
}

export class RdbFormatError extends Error {}

export class RdbReader {
  #p: Uint8Array;
  #i = 0;

  constructor(payload: Uint8Array) {
    this.#p = payload.subarray(0, payload.length - 10);
  }

  get done(): boolean {
    return this.#i >= this.#p.length;
  }

  byte(): number {
    if (this.#i >= this.#p.length) throw new RdbFormatError('truncated');
    return this.#p[this.#i++]!;
  }

  #take(n: number): Uint8Array {
    if (this.#i + n > this.#p.length) throw new RdbFormatError('truncated');
    const out = Uint8Array.prototype.slice.call(this.#p, this.#i, this.#i + n); // a copy, even of a Buffer
    this.#i += n;
    return out;
  }

  /** rdbLoadLenByRef: the length, or an encoding tag for strings. */
  #len(): { encoded: boolean; n: number } {
    const first = this.byte();
    const kind = first >> 6;
    if (kind === 3) return { encoded: true, n: first & 0x3f };
    if (kind === 0) return { encoded: false, n: first & 0x3f };
    if (kind === 1) return { encoded: false, n: ((first & 0x3f) << 8) | this.byte() };
    if (first === 0x80) return { encoded: false, n: this.#take(4).reduce((a, b) => a * 256 + b, 0) };
    if (first === 0x81) return { encoded: false, n: this.#take(8).reduce((a, b) => a * 256 + b, 0) };
    throw new RdbFormatError('bad length');
  }

  length(): number {
    const l = this.#len();
    if (l.encoded) throw new RdbFormatError('encoded length');
    return l.n;
  }

  string(): Uint8Array {
    const l = this.#len();
    if (!l.encoded) return this.#take(l.n);
    if (l.n <= 2) {
      const width = 1 << l.n;
      const b = this.#take(width);
      let v = 0;
      for (let i = width - 1; i >= 0; i--) v = v * 256 + b[i]!;
      if (v >= 2 ** (8 * width - 1)) v -= 2 ** (8 * width);
      return Uint8Array.from(String(v), (ch) => ch.charCodeAt(0));
    }
    if (l.n === 3) {
      const clen = this.length();
      const len = this.length();
      return lzfDecompress(this.#take(clen), len);
    }
    throw new RdbFormatError('unknown string encoding');
  }

  double(): number {
    const b = this.#take(8); // a view when the payload is a Buffer: mind its offset
    return new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, true);
  }
}

/** lzf_decompress (liblzf, as rdbLoadLzfStringObject uses it). */
function lzfDecompress(src: Uint8Array, outLen: number): Uint8Array {
  const out = new Uint8Array(outLen);
  let ip = 0;
  let op = 0;
  while (ip < src.length) {
    let ctrl = src[ip++]!;
    if (ctrl < 32) {
      ctrl++;
      if (op + ctrl > outLen || ip + ctrl > src.length) throw new RdbFormatError('lzf');
      out.set(src.subarray(ip, ip + ctrl), op);
      op += ctrl;
      ip += ctrl;
    } else {
      let len = ctrl >> 5;
      let ref = op - ((ctrl & 0x1f) << 8) - 1;
      if (len === 7) len += src[ip++]!;
      ref -= src[ip++]!;
      len += 2;
      if (op + len > outLen || ref < 0) throw new RdbFormatError('lzf');
      for (let k = 0; k < len; k++) out[op++] = out[ref++]!;
    }
  }
  if (op !== outLen) throw new RdbFormatError('lzf');
  return out;
}
