// The hardening kernels over bytes, in C: copies, RESP and HTTP parsing, hashing and the internet
// checksum, the work of newlib, lwip, netdev, Redis and Nginx. Part of the one C file that
// compartments/model/hardening-kernels.ts assembles (its preamble defines pool, keys, next, launder).

export const BYTE_KERNELS_C = String.raw`/* ---- copies ---- */
static uint32_t copy_memcpy(uint64_t iterations) {
  uint32_t sum = 0, x = 0x9e3779b9u;
  for (uint64_t i = 0; i < iterations; i++) {
    x = next(x);
    size_t n = 64 + x % 1451, off = (x >> 12) & (POOL_BYTES - 1);
    memcpy(ring, pool + off, n);
    barrier();
    sum += ring[n - 1] + ring[n >> 1];
  }
  return sum;
}

/* ngx_cpystrn: copy until the delimiter or the size; the compiler cannot make it a memcpy. */
__attribute__((noinline)) static size_t copy_token(char *dst, const uint8_t *src, size_t size, uint8_t delimiter) {
  size_t n = 0;
  while (n + 1 < size && src[n] != delimiter && src[n] != 0) { dst[n] = (char)src[n]; n++; }
  dst[n] = 0;
  return n;
}
static uint32_t copy_loop(uint64_t iterations) {
  uint32_t sum = 0, x = 0x85ebca6bu;
  char token[256];
  for (uint64_t i = 0; i < iterations; i++) {
    x = next(x);
    size_t off = x & (POOL_BYTES - 1);
    size_t n = copy_token(token, pool + off, 16 + (x >> 24) % 200, (uint8_t)(x >> 16));
    sum += n + (uint8_t)token[n >> 1];
  }
  return sum;
}

/* ---- parsing: RESP ---- */
static char resp[POOL_BYTES];
static size_t resp_len;
typedef uint32_t (*command_fn)(int argc, const char **argv, const size_t *lengths);
static uint32_t cmd_get(int argc, const char **argv, const size_t *lengths) { return (uint32_t)argc + (uint8_t)argv[1][0] + (uint32_t)lengths[1]; }
static uint32_t cmd_set(int argc, const char **argv, const size_t *lengths) { return (uint32_t)argc * 3u + (uint8_t)argv[2][lengths[2] - 1] + (uint32_t)lengths[1]; }
static uint32_t cmd_incr(int argc, const char **argv, const size_t *lengths) { return (uint32_t)argc * 7u + (uint8_t)argv[1][lengths[1] - 1]; }
static struct command { const char *name; size_t length; command_fn proc; } commands[] = { { "get", 3, cmd_get }, { "set", 3, cmd_set }, { "incr", 4, cmd_incr } };

static void resp_setup(void) {
  static const char *const names[] = { "GET", "SET", "INCR", "set", "get" };
  uint32_t x = 0xc2b2ae35u;
  char key[48], value[160];
  while (resp_len + 512 < sizeof resp) {
    x = next(x);
    const char *name = names[x % 5];
    int kl = 4 + (int)((x >> 8) % 28), vl = 1 + (int)((x >> 16) % 120);
    for (int i = 0; i < kl; i++) key[i] = (char)('a' + (x = next(x)) % 26);
    for (int i = 0; i < vl; i++) value[i] = (char)('0' + (x = next(x)) % 10);
    int set = name[0] == 'S' || name[0] == 's';
    resp_len += (size_t)(set ? sprintf(resp + resp_len, "*3\r\n$3\r\n%s\r\n$%d\r\n%.*s\r\n$%d\r\n%.*s\r\n", name, kl, kl, key, vl, vl, value)
                             : sprintf(resp + resp_len, "*2\r\n$%d\r\n%s\r\n$%d\r\n%.*s\r\n", (int)strlen(name), name, kl, kl, key));
  }
}
/* string2ll's loop: digits up to the CR; -1 when there is none where it must be. */
static long resp_number(size_t *pos) {
  long v = 0;
  size_t p = *pos;
  while (resp[p] >= '0' && resp[p] <= '9') v = v * 10 + (resp[p++] - '0');
  if (resp[p] != '\r' || resp[p + 1] != '\n') return -1;
  *pos = p + 2;
  return v;
}
static int lower_equal(const char *a, const char *b, size_t n) {
  for (size_t i = 0; i < n; i++) if ((a[i] | 0x20) != b[i]) return 0;
  return 1;
}
static uint32_t parse_resp(uint64_t iterations) {
  uint32_t sum = 0;
  const char *argv[8];
  size_t lengths[8], resp_pos = 0; /* every run starts at the same command: its checksum depends on the iterations only */
  for (uint64_t i = 0; i < iterations; i++) {
    if (resp_pos >= resp_len) resp_pos = 0;
    size_t p = resp_pos + 1; /* past '*' */
    long argc = resp_number(&p);
    if (argc < 1 || argc > 8) { sink = 1; resp_pos = resp_len; continue; }
    for (long a = 0; a < argc; a++) {
      long n = resp[p] == '$' ? (p++, resp_number(&p)) : -1;
      if (n < 0) { argc = 0; break; }
      argv[a] = resp + p;
      lengths[a] = (size_t)n;
      p += (size_t)n + 2;
    }
    resp_pos = p;
    command_fn proc = 0;
    for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++)
      if (argc > 0 && commands[c].length == lengths[0] && lower_equal(argv[0], commands[c].name, lengths[0])) proc = commands[c].proc;
    launder(proc);
    if (proc) sum += proc((int)argc, argv, lengths);
  }
  return sum;
}

/* ---- parsing: HTTP ---- */
static char http[POOL_BYTES];
static size_t http_len;
typedef uint32_t (*header_fn)(const char *value, size_t length);
static uint32_t hdr_host(const char *v, size_t n) { return (uint32_t)n + (uint8_t)v[0]; }
static uint32_t hdr_connection(const char *v, size_t n) { return (uint32_t)n * 5u + (v[0] == 'k'); }
static uint32_t hdr_length(const char *v, size_t n) { uint32_t x = 0; for (size_t i = 0; i < n; i++) x = x * 10 + (uint32_t)(v[i] - '0'); return x; }
static struct header { const char *name; size_t length; uint32_t hash; header_fn handler; } headers[] = {
  { "host", 4, 0, hdr_host }, { "connection", 10, 0, hdr_connection }, { "content-length", 14, 0, hdr_length },
};
/* ngx_hash(key, c) over the lower-cased name */
static uint32_t name_hash(const char *s, size_t n) { uint32_t h = 0; for (size_t i = 0; i < n; i++) h = h * 31 + (uint8_t)s[i]; return h; }

static void http_setup(void) {
  static const char *const agents[] = { "curl/7.88.1", "wrk", "Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0" };
  uint32_t x = 0x27d4eb2fu;
  for (size_t h = 0; h < sizeof headers / sizeof headers[0]; h++) headers[h].hash = name_hash(headers[h].name, headers[h].length);
  while (http_len + 512 < sizeof http) {
    x = next(x);
    http_len += (size_t)sprintf(http + http_len, "%s /static/page-%u.html HTTP/1.1\r\nHost: localhost:%u\r\nUser-Agent: %s\r\nAccept: */*\r\n%s%s\r\n",
                                x % 7 ? "GET" : "HEAD", (x >> 4) % 1000, 8000 + (x >> 16) % 100, agents[(x >> 8) % 3],
                                x % 3 ? "Connection: keep-alive\r\n" : "", x % 5 ? "" : "Content-Length: 0\r\n");
  }
}
static uint32_t parse_http(uint64_t iterations) {
  uint32_t sum = 0;
  char lower[32];
  size_t http_pos = 0;
  for (uint64_t i = 0; i < iterations; i++) {
    if (http_pos >= http_len) http_pos = 0;
    const char *p = http + http_pos;
    /* request line: method, URI (counting slashes and dots as ngx_http_parse_request_line's states), version */
    const char *method = p;
    while (*p != ' ') p++;
    uint32_t m = (p - method == 3 && method[0] == 'G') ? 1 : (p - method == 4 && method[0] == 'H') ? 2 : 0;
    uint32_t slashes = 0, dots = 0;
    for (p++; *p != ' '; p++) { if (*p == '/') slashes++; else if (*p == '.') dots++; }
    while (*p != '\n') p++;
    p++;
    /* headers up to the empty line */
    while (*p != '\r') {
      const char *name = p;
      uint32_t h = 0;
      size_t n = 0;
      for (; *p != ':'; p++, n++) {
        char c = (char)(*p | 0x20);
        if (n < sizeof lower) lower[n] = c;
        h = h * 31 + (uint8_t)c;
      }
      p++;
      while (*p == ' ') p++;
      const char *value = p;
      while (*p != '\r') p++;
      for (size_t k = 0; k < sizeof headers / sizeof headers[0]; k++) {
        if (headers[k].hash == h && headers[k].length == n && memcmp(lower, headers[k].name, n) == 0) {
          header_fn handler = headers[k].handler;
          launder(handler);
          sum += handler(value, (size_t)(p - value));
        }
      }
      sum += (uint32_t)(name[0]);
      p += 2;
    }
    http_pos = (size_t)(p + 2 - http);
    sum += m * 1000u + slashes * 10u + dots;
  }
  return sum;
}

/* ---- hashing ---- */
static uint8_t keys[KEYS * 48];
#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND do { v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32); v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2; \
  v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0; v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32); } while (0)
static uint64_t load64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
/* Redis' siphash.c: SipHash-1-2, little-endian loads */
static uint64_t siphash(const uint8_t *in, size_t len) {
  uint64_t k0 = 0x0706050403020100ull, k1 = 0x0f0e0d0c0b0a0908ull;
  uint64_t v0 = 0x736f6d6570736575ull ^ k0, v1 = 0x646f72616e646f6dull ^ k1, v2 = 0x6c7967656e657261ull ^ k0, v3 = 0x7465646279746573ull ^ k1;
  const uint8_t *end = in + len - (len % 8);
  uint64_t b = (uint64_t)len << 56;
  for (; in != end; in += 8) { uint64_t m = load64(in); v3 ^= m; SIPROUND; v0 ^= m; }
  switch (len & 7) {
    case 7: b |= (uint64_t)in[6] << 48; /* fall through */
    case 6: b |= (uint64_t)in[5] << 40; /* fall through */
    case 5: b |= (uint64_t)in[4] << 32; /* fall through */
    case 4: b |= (uint64_t)in[3] << 24; /* fall through */
    case 3: b |= (uint64_t)in[2] << 16; /* fall through */
    case 2: b |= (uint64_t)in[1] << 8; /* fall through */
    case 1: b |= (uint64_t)in[0]; break;
    case 0: break;
  }
  v3 ^= b; SIPROUND; v0 ^= b;
  v2 ^= 0xff; SIPROUND; SIPROUND;
  return v0 ^ v1 ^ v2 ^ v3;
}
typedef uint64_t (*hash_fn)(const uint8_t *key, size_t len);
static struct dict_type { hash_fn hash; } dict_type = { siphash };
static uint32_t hash_siphash(uint64_t iterations) {
  uint32_t sum = 0;
  hash_fn hash = dict_type.hash;
  for (uint64_t i = 0; i < iterations; i++) {
    launder(hash);
    const uint8_t *k = keys + (i & (KEYS - 1)) * 48;
    uint64_t h = hash(k, 8 + (size_t)(k[47] % 33));
    sum += (uint32_t)h ^ (uint32_t)(h >> 32);
  }
  return sum;
}

struct name_entry { struct name_entry *next; uint32_t hash; uint8_t length; const uint8_t *name; };
static struct name_entry names[KEYS], *buckets[1024];
static uint32_t fnv1a(const uint8_t *s, size_t n) { uint32_t h = 0x811c9dc5u; for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * 16777619u; return h; }
static void names_setup(void) {
  for (uint32_t i = 0; i < KEYS; i++) {
    struct name_entry *e = &names[i];
    e->name = keys + i * 48;
    e->length = (uint8_t)(4 + e->name[46] % 20);
    e->hash = fnv1a(e->name, e->length);
    e->next = buckets[e->hash & 1023];
    buckets[e->hash & 1023] = e;
  }
}
static uint32_t hash_fnv(uint64_t iterations) {
  uint32_t sum = 0, x = 0x165667b1u;
  for (uint64_t i = 0; i < iterations; i++) {
    x = next(x);
    const struct name_entry *want = &names[x & (KEYS - 1)];
    uint32_t h = fnv1a(want->name, want->length);
    for (const struct name_entry *e = buckets[h & 1023]; e; e = e->next)
      if (e->hash == h && e->length == want->length && memcmp(e->name, want->name, e->length) == 0) { sum += (uint32_t)(e - names); break; }
  }
  return sum;
}

/* ---- checksums: lwip's lwip_standard_chksum, byte pairs so no load is misaligned ---- */
static uint16_t inet_chksum(const uint8_t *p, size_t len) {
  uint32_t acc = 0;
  for (; len > 1; len -= 2, p += 2) acc += (uint32_t)p[0] << 8 | p[1];
  if (len) acc += (uint32_t)p[0] << 8;
  while (acc >> 16) acc = (acc & 0xffffu) + (acc >> 16);
  return (uint16_t)~acc;
}
static uint32_t checksum_inet(uint64_t iterations) {
  uint32_t sum = 0, x = 0x5be0cd19u;
  for (uint64_t i = 0; i < iterations; i++) {
    x = next(x);
    sum += inet_chksum(pool + ((x >> 11) & (POOL_BYTES - 1)), 40 + x % 1461);
  }
  return sum;
}
`;
