// The hardening kernels over data structures, in C: a pcb list walk, a binary search tree, Redis'
// skip list and a TLSF allocator, the work of uksched, lwip, vfscore, SQLite, Redis and ukalloc. Part of
// the one C file that compartments/model/hardening-kernels.ts assembles (its preamble defines next, launder).

export const STRUCTURE_KERNELS_C = String.raw`/* ---- list walks ---- */
struct pcb { struct pcb *next; uint16_t local_port, remote_port; uint32_t remote_ip; uint32_t hits; };
static struct pcb pcbs[LIST_NODES], *active;
typedef struct pcb *(*demux_fn)(struct pcb **list, uint16_t port, uint32_t ip);
/* lwip's tcp_input: walk tcp_active_pcbs for the 4-tuple, then move the pcb to the front */
static struct pcb *demux(struct pcb **list, uint16_t port, uint32_t ip) {
  struct pcb *prev = NULL;
  for (struct pcb *p = *list; p; prev = p, p = p->next) {
    if (p->local_port == port && p->remote_ip == ip) {
      if (prev) { prev->next = p->next; p->next = *list; *list = p; }
      return p;
    }
  }
  return NULL;
}
static struct ops { demux_fn demux; } list_ops = { demux };
static void list_setup(void) {
  uint32_t x = 0x2545f491u;
  int order[LIST_NODES];
  for (int i = 0; i < LIST_NODES; i++) order[i] = i;
  for (int i = LIST_NODES - 1; i > 0; i--) { x = next(x); int j = (int)(x % (uint32_t)(i + 1)), t = order[i]; order[i] = order[j]; order[j] = t; }
  for (int i = 0; i < LIST_NODES; i++) {
    struct pcb *p = &pcbs[order[i]];
    p->local_port = (uint16_t)(1024 + order[i]);
    p->remote_ip = 0x0a000000u | (uint32_t)order[i];
    p->remote_port = (uint16_t)(40000 + order[i]);
    p->next = active;
    active = p;
  }
}
static uint32_t list_walk(uint64_t iterations) {
  uint32_t sum = 0, x = 0x68e31da4u;
  demux_fn fn = list_ops.demux;
  for (uint64_t i = 0; i < iterations; i++) {
    x = next(x);
    uint32_t k = x % LIST_NODES;
    launder(fn);
    struct pcb *p = fn(&active, (uint16_t)(1024 + k), 0x0a000000u | k);
    if (p) { p->hits++; sum += p->remote_port; }
  }
  return sum;
}

/* ---- tree walks ---- */
struct tnode { struct tnode *left, *right; uint64_t key; uint32_t value; };
static struct tnode tnodes[TREE_NODES], *root;
typedef int (*compare_fn)(uint64_t a, uint64_t b);
static int compare_keys(uint64_t a, uint64_t b) { return (a > b) - (a < b); }
static struct { compare_fn compare; } tree_ops = { compare_keys };
static uint64_t tree_key(uint32_t i) { return (uint64_t)i * 2654435761u + 17; }
static int slot_of[TREE_NODES];
static struct tnode *tree_build(int lo, int hi) {
  if (lo > hi) return NULL;
  int mid = (lo + hi) / 2;
  struct tnode *n = &tnodes[slot_of[mid]];
  n->key = tree_key((uint32_t)mid);
  n->value = (uint32_t)mid;
  n->left = tree_build(lo, mid - 1);
  n->right = tree_build(mid + 1, hi);
  return n;
}
static void tree_setup(void) {
  uint32_t x = 0x3c6ef372u;
  for (int i = 0; i < TREE_NODES; i++) slot_of[i] = i;
  for (int i = TREE_NODES - 1; i > 0; i--) { x = next(x); int j = (int)(x % (uint32_t)(i + 1)), t = slot_of[i]; slot_of[i] = slot_of[j]; slot_of[j] = t; }
  root = tree_build(0, TREE_NODES - 1);
}
static uint32_t tree_lookup(uint64_t iterations) {
  uint32_t sum = 0, x = 0xbb67ae85u;
  compare_fn compare = tree_ops.compare;
  for (uint64_t i = 0; i < iterations; i++) {
    x = next(x);
    /* one miss in eight, as a lookup of a name that is not there */
    uint64_t key = tree_key(x % TREE_NODES) + ((x >> 29) == 0);
    const struct tnode *n = root;
    while (n) {
      launder(compare);
      int c = compare(key, n->key);
      if (c == 0) { sum += n->value; break; }
      n = c < 0 ? n->left : n->right;
    }
  }
  return sum;
}

/* Redis' zskiplist: levels with p = 1/4, lookup by score */
#define ZSKIPLIST_MAXLEVEL 32
struct zskiplist_node { double score; uint32_t id; struct zskiplist_node *backward; struct { struct zskiplist_node *forward; unsigned long span; } level[]; };
static struct zskiplist_node *zsl_header;
static int zsl_level = 1;
static uint32_t zsl_random = 0x510e527fu;
static int zsl_random_level(void) { int level = 1; while (((zsl_random = next(zsl_random)) & 0xffff) < 0x4000 && level < ZSKIPLIST_MAXLEVEL) level++; return level; }
static struct zskiplist_node *zsl_create_node(int level, double score, uint32_t id) {
  struct zskiplist_node *n = calloc(1, sizeof *n + (size_t)level * sizeof n->level[0]);
  if (!n) exit(3);
  n->score = score;
  n->id = id;
  return n;
}
static void skiplist_setup(void) {
  zsl_header = zsl_create_node(ZSKIPLIST_MAXLEVEL, 0, 0);
  struct zskiplist_node *update[ZSKIPLIST_MAXLEVEL];
  for (uint32_t i = 0; i < TREE_NODES; i++) {
    double score = (double)((i * 2654435761u) % 1000003u);
    struct zskiplist_node *x = zsl_header;
    for (int l = zsl_level - 1; l >= 0; l--) {
      while (x->level[l].forward && x->level[l].forward->score < score) x = x->level[l].forward;
      update[l] = x;
    }
    int level = zsl_random_level();
    if (level > zsl_level) { for (int l = zsl_level; l < level; l++) update[l] = zsl_header; zsl_level = level; }
    struct zskiplist_node *n = zsl_create_node(level, score, i);
    for (int l = 0; l < level; l++) { n->level[l].forward = update[l]->level[l].forward; update[l]->level[l].forward = n; }
  }
}
static uint32_t skiplist_lookup(uint64_t iterations) {
  uint32_t sum = 0, x = 0x9b05688cu;
  for (uint64_t i = 0; i < iterations; i++) {
    x = next(x);
    double score = (double)(((x % TREE_NODES) * 2654435761u) % 1000003u);
    const struct zskiplist_node *n = zsl_header;
    for (int l = zsl_level - 1; l >= 0; l--)
      while (n->level[l].forward && n->level[l].forward->score < score) n = n->level[l].forward;
    n = n->level[0].forward;
    if (n && n->score == score) sum += n->id;
  }
  return sum;
}

/* ---- allocator: TLSF (two-level segregated fit), as lib/tlsf behind ukalloc ---- */
#define SL_BITS 4
#define SL_COUNT (1 << SL_BITS)
#define FL_COUNT 24
#define SMALL_BLOCK 256 /* below it, one first-level class split in 16-byte steps */
#define BLOCK_FREE 1u
#define PREV_FREE 2u
#define HEADER 16
typedef struct block { struct block *prev_phys; size_t size; struct block *next_free, *prev_free; } block;
static _Alignas(16) uint8_t arena[ARENA_BYTES + HEADER]; /* + room for the sentinel's unused free links */
static block *free_lists[FL_COUNT][SL_COUNT];
static uint32_t fl_bitmap, sl_bitmap[FL_COUNT];
static void *slots[SLOTS];

static size_t block_size(const block *b) { return b->size & ~(size_t)3; }
static block *block_next(const block *b) { return (block *)((uint8_t *)b + HEADER + block_size(b)); }
static void mapping(size_t size, int *fl, int *sl) {
  if (size < SMALL_BLOCK) { *fl = 0; *sl = (int)(size >> 4); return; }
  int f = 63 - __builtin_clzll(size);
  *sl = (int)((size >> (f - SL_BITS)) ^ SL_COUNT);
  *fl = f - 7;
}
static void free_insert(block *b) {
  int fl, sl;
  mapping(block_size(b), &fl, &sl);
  b->next_free = free_lists[fl][sl];
  b->prev_free = NULL;
  if (b->next_free) b->next_free->prev_free = b;
  free_lists[fl][sl] = b;
  fl_bitmap |= 1u << fl;
  sl_bitmap[fl] |= 1u << sl;
}
static void free_remove(block *b) {
  int fl, sl;
  mapping(block_size(b), &fl, &sl);
  if (b->prev_free) b->prev_free->next_free = b->next_free; else free_lists[fl][sl] = b->next_free;
  if (b->next_free) b->next_free->prev_free = b->prev_free;
  if (!free_lists[fl][sl]) { sl_bitmap[fl] &= ~(1u << sl); if (!sl_bitmap[fl]) fl_bitmap &= ~(1u << fl); }
}
static void *tlsf_malloc(size_t request) {
  size_t size = request < 16 ? 16 : (request + 15) & ~(size_t)15;
  size_t rounded = size;
  if (size >= SMALL_BLOCK) rounded += ((size_t)1 << (63 - __builtin_clzll(size) - SL_BITS)) - 1;
  int fl, sl;
  mapping(rounded, &fl, &sl);
  uint32_t sl_map = fl < FL_COUNT ? sl_bitmap[fl] & (~0u << sl) : 0;
  if (!sl_map) {
    uint32_t fl_map = fl + 1 < 32 ? fl_bitmap & (~0u << (fl + 1)) : 0;
    if (!fl_map) return NULL;
    fl = __builtin_ctz(fl_map);
    sl_map = sl_bitmap[fl];
  }
  sl = __builtin_ctz(sl_map);
  block *b = free_lists[fl][sl];
  free_remove(b);
  block *after = block_next(b);
  if (block_size(b) >= size + HEADER + 16) { /* split off the rest */
    block *rest = (block *)((uint8_t *)b + HEADER + size);
    rest->size = (block_size(b) - size - HEADER) | BLOCK_FREE;
    rest->prev_phys = b;
    after->prev_phys = rest;
    b->size = size | (b->size & PREV_FREE);
    free_insert(rest);
  } else {
    b->size &= ~(size_t)BLOCK_FREE;
    after->size &= ~(size_t)PREV_FREE;
  }
  return (uint8_t *)b + HEADER;
}
static void tlsf_free(void *p) {
  if (!p) return;
  block *b = (block *)((uint8_t *)p - HEADER);
  block *after = block_next(b);
  if (after->size & BLOCK_FREE) { free_remove(after); b->size += HEADER + block_size(after); after = block_next(b); }
  if (b->size & PREV_FREE) { block *before = b->prev_phys; free_remove(before); before->size += HEADER + block_size(b); b = before; }
  b->size |= BLOCK_FREE;
  after->prev_phys = b;
  after->size |= PREV_FREE;
  free_insert(b);
}
static void tlsf_setup(void) {
  block *b = (block *)arena;
  b->size = (ARENA_BYTES - 2 * HEADER) | BLOCK_FREE;
  block *sentinel = block_next(b); /* size 0, used: never merged */
  sentinel->size = PREV_FREE;
  sentinel->prev_phys = b;
  free_insert(b);
}
static uint32_t alloc_tlsf(uint64_t iterations) {
  uint32_t sum = 0, fails = 0, x = 0x1f83d9abu;
  for (uint64_t i = 0; i < iterations; i++) {
    unsigned s = i & (SLOTS - 1);
    tlsf_free(slots[s]);
    size_t size = 16 + (x = next(x)) % 497;
    uint8_t *p = tlsf_malloc(size);
    slots[s] = p;
    if (!p) { fails++; continue; }
    p[0] = (uint8_t)size; p[size - 1] = (uint8_t)i; /* the caller touches its block */
    sum += (uint32_t)size + (uint32_t)((uint8_t *)p - arena);
  }
  for (int s = 0; s < SLOTS; s++) { tlsf_free(slots[s]); slots[s] = NULL; }
  return sum + fails * 65536u;
}
`;
