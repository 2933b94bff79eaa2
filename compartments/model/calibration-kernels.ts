// The calibration kernels, twice: in JavaScript the way the simulator's code does the work, and in C
// the way FlexOS's C does it. Both sides build the same inputs from the same xorshift32 seeds and
// return a checksum, so a test can verify that they really do the same work (compartments/model/calibration.ts times them).

import { TlsfHeap } from '../../shm/tlsf.js';

export interface KernelSpec {
  readonly name: string;
  /** The C kernel this one is compared with (two JS copies share C's memcpy). */
  readonly c: string;
  /** In the geometric mean: false for a variant the simulator's code does not use. */
  readonly inMean: boolean;
  readonly what: string;
}

/** One operation of each kernel; a kernel's time is per operation. */
export const KERNELS: readonly KernelSpec[] = [
  { name: 'copy-64-set', c: 'copy-64', inMean: true, what: '64 B copy, subarray + TypedArray.set (as the simulator\'s memcpy) vs memcpy' },
  { name: 'copy-4096-set', c: 'copy-4096', inMean: true, what: '4 KiB copy, subarray + TypedArray.set (as the simulator\'s memcpy) vs memcpy' },
  { name: 'copy-64-loop', c: 'copy-64', inMean: false, what: '64 B copy, byte loop over a Uint8Array (not used by the simulator) vs memcpy' },
  { name: 'copy-4096-loop', c: 'copy-4096', inMean: false, what: '4 KiB copy, byte loop over a Uint8Array (not used by the simulator) vs memcpy' },
  { name: 'fnv1a-16', c: 'fnv1a-16', inMean: true, what: 'FNV-1a hash of a 16-byte key' },
  { name: 'parse-int', c: 'parse-int', inMean: true, what: 'decimal parse of a short ASCII number ending in \\r\\n (string2ll-like)' },
  { name: 'resp-scan', c: 'resp-scan', inMean: true, what: 'find every \\r\\n in 4 KiB: byte loop (as the RESP parser) vs strchr (as Redis)' },
  { name: 'malloc-free', c: 'malloc-free', inMean: true, what: 'free + malloc of 16..512 B over 64 live blocks: TLSF (shm/tlsf.ts) vs glibc' },
];

const SRC_BYTES = 65536; // copy sources and hash keys cycle through 64 KiB
const SEED_BYTES = 0x9e3779b9, SEED_KEYS = 0x85ebca6b, SEED_NUMBERS = 0xc2b2ae35, SEED_LINES = 0x27d4eb2f, SEED_SIZES = 0x165667b1;
const NUMBER_COUNT = 4096, LINES_BYTES = 4096, SLOTS = 64;

const next = (x: number): number => {
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  return x >>> 0;
};

function randomBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) out[i] = (x = next(x)) & 255;
  return out;
}

/** "12345\r\n7\r\n...": NUMBER_COUNT numbers below 100000. */
function numberLines(): Uint8Array {
  let text = '';
  let x = SEED_NUMBERS;
  for (let k = 0; k < NUMBER_COUNT; k++) text += `${(x = next(x)) % 100000}\r\n`;
  return new TextEncoder().encode(text);
}

/** 4 KiB of printable bytes with a \r\n at about one position in 48: a pipelined RESP buffer. */
function respBuffer(): Uint8Array {
  const out = new Uint8Array(LINES_BYTES);
  let x = SEED_LINES;
  for (let i = 0; i < LINES_BYTES; ) {
    x = next(x);
    if (x % 48 === 0 && i + 1 < LINES_BYTES) {
      out[i++] = 13;
      out[i++] = 10;
    } else out[i++] = 32 + ((x >>> 8) % 95);
  }
  return out;
}

export type Kernel = (iterations: number) => number;

/** The JavaScript kernels by name: each runs `iterations` operations and returns a uint32 checksum. */
export function jsKernels(): Map<string, Kernel> {
  const src = randomBytes(SRC_BYTES + 4096, SEED_BYTES);
  const dst = new Uint8Array(4096);
  const copySet = (n: number): Kernel => (iterations) => {
    let sum = 0;
    for (let i = 0; i < iterations; i++) {
      const off = Math.imul(i, 67) & (SRC_BYTES - 1);
      dst.subarray(0, n).set(src.subarray(off, off + n)); // newlib memcpy: memory.view(dst).set(memory.view(src))
      sum = (sum + dst[i & (n - 1)]!) | 0;
    }
    return sum >>> 0;
  };
  const copyLoop = (n: number): Kernel => (iterations) => {
    let sum = 0;
    for (let i = 0; i < iterations; i++) {
      const off = Math.imul(i, 67) & (SRC_BYTES - 1);
      for (let j = 0; j < n; j++) dst[j] = src[off + j]!;
      sum = (sum + dst[i & (n - 1)]!) | 0;
    }
    return sum >>> 0;
  };
  const keys = randomBytes(SRC_BYTES, SEED_KEYS);
  const numbers = numberLines();
  const lines = respBuffer();
  const heapBytes = 1 << 20;
  const heap = TlsfHeap.format(new SharedArrayBuffer(heapBytes), { offset: 0, size: heapBytes });
  const slots = new Array<number>(SLOTS).fill(0);
  return new Map<string, Kernel>([
    ['copy-64-set', copySet(64)],
    ['copy-4096-set', copySet(4096)],
    ['copy-64-loop', copyLoop(64)],
    ['copy-4096-loop', copyLoop(4096)],
    ['fnv1a-16', (iterations) => {
      let sum = 0;
      for (let i = 0; i < iterations; i++) {
        const k = Math.imul(i, 16) & (SRC_BYTES - 1);
        let h = 0x811c9dc5 | 0;
        for (let j = 0; j < 16; j++) h = Math.imul(h ^ keys[k + j]!, 16777619);
        sum = (sum + h) | 0;
      }
      return sum >>> 0;
    }],
    ['parse-int', (iterations) => {
      let sum = 0;
      let pos = 0;
      for (let i = 0; i < iterations; i++) {
        let v = 0;
        for (let d = numbers[pos]! - 48; d >= 0 && d <= 9; d = numbers[++pos]! - 48) v = v * 10 + d;
        pos += 2;
        if (pos >= numbers.length) pos = 0;
        sum = (sum + v) | 0;
      }
      return sum >>> 0;
    }],
    ['resp-scan', (iterations) => {
      let sum = 0;
      for (let i = 0; i < iterations; i++) {
        // As the RESP parser's #find: one pass for the terminator, stopping at a NUL as strchr would.
        for (let p = 0; p < LINES_BYTES; p++) {
          const c = lines[p]!;
          if (c === 13) {
            if (lines[p + 1] === 10) sum = (sum + p) | 0;
          } else if (c === 0) break;
        }
      }
      return sum >>> 0;
    }],
    ['malloc-free', (iterations) => {
      let sum = 0, fails = 0;
      let x = SEED_SIZES;
      for (let i = 0; i < iterations; i++) {
        const s = i & (SLOTS - 1);
        heap.free(slots[s]!);
        const size = 16 + ((x = next(x)) % 497);
        const p = heap.malloc(size);
        slots[s] = p;
        if (p === 0) fails++;
        sum = (sum + size) | 0;
      }
      for (let s = 0; s < SLOTS; s++) {
        heap.free(slots[s]!);
        slots[s] = 0;
      }
      return (sum + Math.imul(fails, 65536)) >>> 0;
    }],
  ]);
}

/**
 * Kernels both C programs of the model run (these, and the price list's `int`, `scan` and `alloc`):
 * string2ll-like parsing over \`numbers\`, strchr over the RESP \`lines\`, free + malloc over \`slots\`.
 * A program defines those arrays, SLOTS, SEED_SIZES, next() and barrier() before including them.
 */
export const C_SHARED_KERNELS = String.raw`static uint32_t parse_int(uint64_t iterations) {
  uint32_t sum = 0;
  size_t pos = 0;
  for (uint64_t i = 0; i < iterations; i++) {
    uint32_t v = 0;
    for (unsigned d = numbers[pos] - '0'; d <= 9; d = numbers[++pos] - '0') v = v * 10 + d;
    pos += 2;
    if (pos >= numbers_len) pos = 0;
    sum += v;
    barrier();
  }
  return sum;
}

static uint32_t resp_scan(uint64_t iterations) {
  uint32_t sum = 0;
  for (uint64_t i = 0; i < iterations; i++) {
    for (const char *p = lines; (p = strchr(p, '\r')) != NULL; p++)
      if (p[1] == '\n') sum += (uint32_t)(p - lines);
    barrier();
  }
  return sum;
}

static uint32_t malloc_free(uint64_t iterations) {
  uint32_t sum = 0, fails = 0, x = SEED_SIZES;
  for (uint64_t i = 0; i < iterations; i++) {
    unsigned s = i & (SLOTS - 1);
    free(slots[s]);
    uint32_t size = 16 + (x = next(x)) % 497;
    void *p = malloc(size);
    slots[s] = p;
    if (!p) fails++;
    sum += size;
    barrier();
  }
  for (int s = 0; s < SLOTS; s++) { free(slots[s]); slots[s] = NULL; }
  return sum + fails * 65536u;
}`;

/**
 * The timing harness every C kernel program of the model shares (these kernels, the price list's):
 * CPU time, a checksum run, a run sized to >= min ms, the median of repetitions. A program defines
 * its kernels and `setup()`, then a `kernels[]` table of `{ name, kernel }`, then C_HARNESS_MAIN.
 */
export const C_HARNESS_FUNCTIONS = String.raw`/* CPU time, as the JavaScript side: preemption on a shared machine does not count. */
static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void measure(const char *name, uint32_t (*kernel)(uint64_t), double min_ns, int reps, uint64_t check) {
  uint32_t checksum = kernel(check);
  uint64_t n = 1000;
  for (;;) { /* size the run (and warm caches and the allocator) */
    double t0 = now_ns();
    sink += kernel(n);
    if (now_ns() - t0 >= min_ns) break;
    n *= 2;
  }
  double per_op[64];
  for (int r = 0; r < reps; r++) {
    double t0 = now_ns();
    sink += kernel(n);
    per_op[r] = (now_ns() - t0) / (double)n;
  }
  qsort(per_op, (size_t)reps, sizeof per_op[0], by_value);
  printf("%s %u %llu %.6f %.6f %.6f\n", name, checksum, (unsigned long long)n, per_op[reps / 2], per_op[0], per_op[reps - 1]);
  fflush(stdout);
}`;

export const C_HARNESS_MAIN = String.raw`int main(int argc, char **argv) {
  if (argc < 4) { fprintf(stderr, "usage: %s <min run ms> <repetitions 1..63> <check iterations> [kernel...]\n", argv[0]); return 2; }
  double min_ns = atof(argv[1]) * 1e6;
  int reps = atoi(argv[2]);
  uint64_t check = strtoull(argv[3], NULL, 10);
  if (reps < 1 || reps > 63) return 2;
  setup();
  for (size_t k = 0; k < sizeof kernels / sizeof kernels[0]; k++) {
    int wanted = argc == 4;
    for (int a = 4; a < argc; a++) wanted |= strcmp(argv[a], kernels[k].name) == 0;
    if (wanted) measure(kernels[k].name, kernels[k].kernel, min_ns, reps, check);
  }
  return 0;
}`;

/**
 * The C kernels and their harness. argv: min run ms, repetitions, check iterations, then the kernels
 * to run (default all). Per kernel it prints `<name> <checksum after check iterations> <iterations per run> <median ns/op> <min> <max>`.
 */
export const C_SOURCE = String.raw`/* flexos-sim calibration kernels: generated by compartments/model/calibration-kernels.ts */
#define _POSIX_C_SOURCE 199309L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SRC_BYTES ${SRC_BYTES}
#define NUMBER_COUNT ${NUMBER_COUNT}
#define LINES_BYTES ${LINES_BYTES}
#define SLOTS ${SLOTS}
#define SEED_SIZES ${SEED_SIZES}u
/* A compiler barrier: the buffers are re-read and the stores done every operation, as in JS. */
#define barrier() __asm__ __volatile__("" ::: "memory")

static uint32_t next(uint32_t x) { x ^= x << 13; x ^= x >> 17; x ^= x << 5; return x; }

static uint8_t src[SRC_BYTES + 4096], keys[SRC_BYTES], numbers[NUMBER_COUNT * 8];
static char lines[LINES_BYTES + 1];
static size_t numbers_len;
uint8_t dst[4096];
void *slots[SLOTS];
volatile uint32_t sink;

static void fill(uint8_t *out, size_t n, uint32_t x) { for (size_t i = 0; i < n; i++) out[i] = (x = next(x)) & 255; }

static void setup(void) {
  fill(src, sizeof src, ${SEED_BYTES}u);
  fill(keys, sizeof keys, ${SEED_KEYS}u);
  uint32_t x = ${SEED_NUMBERS}u;
  for (int k = 0; k < NUMBER_COUNT; k++) numbers_len += (size_t)sprintf((char *)numbers + numbers_len, "%u\r\n", (x = next(x)) % 100000u);
  x = ${SEED_LINES}u;
  for (int i = 0; i < LINES_BYTES;) {
    x = next(x);
    if (x % 48 == 0 && i + 1 < LINES_BYTES) { lines[i++] = '\r'; lines[i++] = '\n'; }
    else lines[i++] = (char)(32 + (x >> 8) % 95);
  }
  lines[LINES_BYTES] = 0;
}

__attribute__((noinline)) static uint32_t copy(uint64_t iterations, size_t n) {
  uint32_t sum = 0;
  for (uint64_t i = 0; i < iterations; i++) {
    size_t off = (size_t)(i * 67) & (SRC_BYTES - 1);
    memcpy(dst, src + off, n);
    barrier();
    sum += dst[i & (n - 1)];
  }
  return sum;
}
static uint32_t copy_64(uint64_t iterations) { return copy(iterations, 64); }
static uint32_t copy_4096(uint64_t iterations) { return copy(iterations, 4096); }

static uint32_t fnv1a_16(uint64_t iterations) {
  uint32_t sum = 0;
  for (uint64_t i = 0; i < iterations; i++) {
    const uint8_t *k = keys + ((i * 16) & (SRC_BYTES - 1));
    uint32_t h = 0x811c9dc5u;
    for (int j = 0; j < 16; j++) h = (h ^ k[j]) * 16777619u;
    sum += h;
    barrier();
  }
  return sum;
}

${C_SHARED_KERNELS}
${C_HARNESS_FUNCTIONS}

static const struct { const char *name; uint32_t (*kernel)(uint64_t); } kernels[] = {
  { "copy-64", copy_64 }, { "copy-4096", copy_4096 }, { "fnv1a-16", fnv1a_16 },
  { "parse-int", parse_int }, { "resp-scan", resp_scan }, { "malloc-free", malloc_free },
};

${C_HARNESS_MAIN}
`;
