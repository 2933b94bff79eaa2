// The initrd format: cpio "newc" (070701), as Linux initramfs and Unikraft's lib/cpio read it.
// Pure encode/decode over bytes, imported by both sides: the host packs a directory (initrd.ts),
// ramfs unpacks the device buffer at init (FlexOS: ukcpio_extract() into the root filesystem).

export interface InitrdEntry {
  /** Relative to the root, '/'-separated, no leading slash ("etc/hostname"). */
  readonly path: string;
  readonly isDirectory: boolean;
  /** File contents (empty for directories). */
  readonly data: Uint8Array;
  /** newc keeps whole seconds: milliseconds are dropped by packing. */
  readonly mtimeMs: number;
  /** Permission bits; 0o755 for directories and 0o644 for files when absent. */
  readonly mode?: number;
}

export interface InitrdImage {
  readonly entries: readonly InitrdEntry[];
}

const MAGIC = '070701';
const MAGIC_CRC = '070702';
const HEADER_BYTES = 110;
const FIELDS = 13;
const TRAILER = 'TRAILER!!!';
const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const MAX_FIELD = 0xffffffff;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
const pad4 = (n: number): number => (n + 3) & ~3;

/** Directory and file entries in newc form, ending with the TRAILER!!! record. */
export function encodeCpio(image: InitrdImage): Uint8Array {
  const records: { header: Uint8Array; name: Uint8Array; data: Uint8Array }[] = [];
  const add = (ino: number, mode: number, mtimeMs: number, name: string, data: Uint8Array): void => {
    const nameBytes = encoder.encode(name);
    if (data.length > MAX_FIELD) throw new RangeError(`initrd: ${name} is larger than newc's 4 GiB limit`);
    const fields = [ino, mode, 0, 0, mode & S_IFDIR ? 2 : 1, Math.max(0, Math.floor(mtimeMs / 1000)), data.length, 0, 0, 0, 0, nameBytes.length + 1, 0];
    const header = MAGIC + fields.map((f) => (f >>> 0).toString(16).toUpperCase().padStart(8, '0')).join('');
    records.push({ header: encoder.encode(header), name: nameBytes, data });
  };
  let ino = 1;
  for (const e of image.entries) {
    const path = normalisePath(e.path);
    if (path === '') throw new RangeError(`initrd: entry with an empty path (${JSON.stringify(e.path)})`);
    const perm = (e.mode ?? (e.isDirectory ? 0o755 : 0o644)) & 0o7777;
    add(ino++, (e.isDirectory ? S_IFDIR : S_IFREG) | perm, e.mtimeMs, path, e.isDirectory ? new Uint8Array(0) : e.data);
  }
  add(0, 0, 0, TRAILER, new Uint8Array(0));
  let total = 0;
  for (const r of records) total = pad4(pad4(total + HEADER_BYTES + r.name.length + 1) + r.data.length);
  const out = new Uint8Array(total);
  let at = 0;
  for (const r of records) {
    out.set(r.header, at);
    out.set(r.name, at + HEADER_BYTES); // the NUL after the name and the padding are already zero
    at = pad4(at + HEADER_BYTES + r.name.length + 1);
    out.set(r.data, at);
    at = pad4(at + r.data.length);
  }
  return out;
}

/** The entries of a newc archive, up to TRAILER!!! (or the end of the bytes); other file types are skipped. */
export function decodeCpio(bytes: Uint8Array): InitrdImage {
  const entries: InitrdEntry[] = [];
  let at = 0;
  while (at + HEADER_BYTES <= bytes.length) {
    const magic = ascii(bytes, at, 6);
    if (magic !== MAGIC && magic !== MAGIC_CRC) throw new RangeError(`initrd: bad cpio magic ${JSON.stringify(magic)} at offset ${at} (expected ${MAGIC}, newc)`);
    const field = (i: number): number => {
      const text = ascii(bytes, at + 6 + 8 * i, 8);
      if (!/^[0-9A-Fa-f]{8}$/.test(text)) throw new RangeError(`initrd: bad header field ${i} ${JSON.stringify(text)} at offset ${at}`);
      return parseInt(text, 16);
    };
    const fields = Array.from({ length: FIELDS }, (_, i) => field(i));
    const mode = fields[1]!;
    const mtime = fields[5]!;
    const fileSize = fields[6]!;
    const nameSize = fields[11]!;
    const nameAt = at + HEADER_BYTES;
    const dataAt = pad4(nameAt + nameSize);
    if (nameSize < 1 || dataAt + fileSize > bytes.length) throw new RangeError(`initrd: entry at offset ${at} runs past the end of the archive`);
    const name = decoder.decode(bytes.subarray(nameAt, nameAt + nameSize - 1));
    if (name === TRAILER) break;
    const path = normalisePath(name);
    const type = mode & S_IFMT;
    if (path !== '' && (type === S_IFDIR || type === S_IFREG)) {
      entries.push({
        path,
        isDirectory: type === S_IFDIR,
        data: type === S_IFREG ? bytes.slice(dataAt, dataAt + fileSize) : new Uint8Array(0),
        mtimeMs: mtime * 1000,
        mode: mode & 0o7777,
      });
    }
    at = pad4(dataAt + fileSize);
  }
  return { entries };
}

/** "./etc//hostname/" -> "etc/hostname"; "." and "/" -> "" (the root). ".." is refused: an archive stays inside the root. */
export function normalisePath(path: string): string {
  const parts = path.split('/').filter((c) => c !== '' && c !== '.');
  if (parts.includes('..')) throw new RangeError(`initrd: path ${JSON.stringify(path)} leaves the root ("..")`);
  return parts.join('/');
}

function ascii(bytes: Uint8Array, at: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + length));
}
