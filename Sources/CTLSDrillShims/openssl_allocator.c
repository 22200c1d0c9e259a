/*
 * A per-thread block cache under OpenSSL's allocations (CRYPTO_set_mem_functions), installed by the tlsdrill
 * executable before anything calls OpenSSL.
 *
 * A client handshake makes about 1,300 small allocations and frees nearly all of them before the next one
 * starts, many of the same few sizes. glibc keeps only 7 freed blocks per size in its per-thread cache, so most
 * of them go through its arena bins. Here each thread keeps freed blocks by size class — 16-byte steps from 32
 * to 256 bytes, then four classes per power of two to 4 KiB (header included), so a long-lived allocation (a
 * gateway's or a held connection's TLS state) wastes no more than glibc's own rounding would, give or take —
 * up to BLOCKS_CACHED_BYTES per class, and hands them out again without a lock; larger requests, and blocks
 * beyond the cap, are glibc's. A block freed on another thread joins that
 * thread's cache. Each block carries a 16-byte header (class and a marker), so the returned memory keeps
 * glibc's 16-byte alignment, and a pointer without the marker is handed to glibc's free untouched.
 */
#include "CTLSDrillShims.h"
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BLOCKS_CLASSES 31                 /* 32, 48, ..., 256, then 320, 384, 448, 512, 640, ..., 4096 bytes with the header */
#define BLOCKS_FINE_CLASSES 15            /* the 16-byte steps, from 32: a free block keeps its list link after the header */
#define BLOCKS_LARGEST 4096
#define BLOCKS_CACHED_BYTES 65536         /* per class and thread (at least 16 blocks): ≤ 2 MB kept by a thread */
#define BLOCKS_LARGE 0xffu
#define BLOCKS_MARKER 0x746c7364u         /* "tlsd" */

typedef struct {
    uint32_t size_class;                /* 0..BLOCKS_CLASSES-1, or BLOCKS_LARGE */
    uint32_t marker;
    uint64_t usable;                    /* bytes the caller may use */
} blocks_block_header;

typedef struct blocks_free_block {
    struct blocks_free_block *next;
} blocks_free_block;

typedef struct {
    blocks_free_block *head[BLOCKS_CLASSES];
    unsigned count[BLOCKS_CLASSES];
    int registered;
} blocks_block_cache;

static __thread blocks_block_cache blocks_cache;
static pthread_key_t blocks_cache_exit;

static blocks_block_header *blocks_header(void *pointer) { return (blocks_block_header *)pointer - 1; }

/* Gives a thread's cached blocks back to glibc when the thread ends. */
static void blocks_cache_drain(void *unused) {
    (void)unused;
    for (int size_class = 0; size_class < BLOCKS_CLASSES; size_class++) {
        blocks_free_block *block = blocks_cache.head[size_class];
        while (block != NULL) {
            blocks_free_block *next = block->next;
            free(blocks_header(block));
            block = next;
        }
        blocks_cache.head[size_class] = NULL;
        blocks_cache.count[size_class] = 0;
    }
    blocks_cache.registered = 0;   /* a block freed by a later thread-exit destructor registers the drain again */
}

/* The class of a block of `total` bytes (header included), or -1 when it is larger than every class. */
static int blocks_size_class(size_t total) {
    if (total <= 256) return total <= 32 ? 0 : (int)((total + 15) / 16) - 2;
    if (total > BLOCKS_LARGEST) return -1;
    int power = 63 - __builtin_clzll((unsigned long long)(total - 1));   /* 2^power < total <= 2^(power+1) */
    size_t step = (size_t)1 << (power - 2);
    int quarter = (int)((total - ((size_t)1 << power) + step - 1) / step); /* 1...4 */
    return BLOCKS_FINE_CLASSES + (power - 8) * 4 + quarter - 1;
}

/* The bytes (header included) of a block of `size_class`. */
static size_t blocks_class_size(int size_class) {
    if (size_class < BLOCKS_FINE_CLASSES) return (size_t)(size_class + 2) * 16;
    int power = 8 + (size_class - BLOCKS_FINE_CLASSES) / 4, quarter = (size_class - BLOCKS_FINE_CLASSES) % 4 + 1;
    return ((size_t)1 << power) + (size_t)quarter * ((size_t)1 << (power - 2));
}

static void *blocks_malloc(size_t size, const char *file, int line) {
    (void)file;
    (void)line;
    if (size > SIZE_MAX - sizeof(blocks_block_header)) return NULL;
    int size_class = blocks_size_class(size + sizeof(blocks_block_header));
    if (size_class >= 0 && blocks_cache.head[size_class] != NULL) {
        blocks_free_block *block = blocks_cache.head[size_class];
        blocks_cache.head[size_class] = block->next;
        blocks_cache.count[size_class]--;
        return block;
    }
    size_t total = size_class >= 0 ? blocks_class_size(size_class) : size + sizeof(blocks_block_header);
    blocks_block_header *header = malloc(total);
    if (header == NULL) return NULL;
    header->size_class = size_class >= 0 ? (uint32_t)size_class : BLOCKS_LARGE;
    header->marker = BLOCKS_MARKER;
    header->usable = total - sizeof(blocks_block_header);
    return header + 1;
}

static void blocks_free(void *pointer, const char *file, int line) {
    (void)file;
    (void)line;
    if (pointer == NULL) return;
    blocks_block_header *header = blocks_header(pointer);
    if (header->marker != BLOCKS_MARKER) {
        free(pointer);   /* not ours (never expected): glibc's own */
        return;
    }
    uint32_t size_class = header->size_class;
    if (size_class == BLOCKS_LARGE || (blocks_cache.count[size_class] + 1) * (header->usable + sizeof *header) > BLOCKS_CACHED_BYTES) {
        header->marker = 0;
        free(header);
        return;
    }
    if (!blocks_cache.registered) {
        blocks_cache.registered = 1;
        pthread_setspecific(blocks_cache_exit, &blocks_cache);
    }
    blocks_free_block *block = pointer;
    block->next = blocks_cache.head[size_class];
    blocks_cache.head[size_class] = block;
    blocks_cache.count[size_class]++;
}

static void *blocks_realloc(void *pointer, size_t size, const char *file, int line) {
    if (pointer == NULL) return blocks_malloc(size, file, line);
    if (size == 0) {
        blocks_free(pointer, file, line);
        return NULL;
    }
    blocks_block_header *header = blocks_header(pointer);
    if (header->marker != BLOCKS_MARKER) return realloc(pointer, size);
    if (size <= header->usable) return pointer;
    void *larger = blocks_malloc(size, file, line);
    if (larger == NULL) return NULL;
    memcpy(larger, pointer, header->usable);
    blocks_free(pointer, file, line);
    return larger;
}

int tlsdrill_install_openssl_allocator(void) {
    if (pthread_key_create(&blocks_cache_exit, blocks_cache_drain) != 0) return 0;
    return CRYPTO_set_mem_functions(blocks_malloc, blocks_realloc, blocks_free);
}
