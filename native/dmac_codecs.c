// dmac_codecs: the ingest's hot codecs as a Node-API addon over Debian's libdeflate and liblz4.
//
// Why our own binding: node:zlib cannot inflate into a caller's buffer (every chunk became
// garbage), zlib's deflate is 2-3x slower than libdeflate's, and the LZ4 package on npm
// (lz4-napi, a Rust port) has no acceleration setting and allocates its output on the main
// thread. No npm package binds libdeflate or C liblz4 natively with caller-owned buffers.
//
// Every operation runs on libuv's thread pool and writes into a buffer the caller owns; the
// JavaScript side (dataplane/native-codecs.ts) recycles those buffers. Results are byte counts.
#include <libdeflate.h>
#include <lz4.h>
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum op { OP_INFLATE, OP_DEFLATE, OP_LZ4, OP_UNSHUFFLE };
enum fmt { FMT_ZLIB = 0, FMT_GZIP = 1 };

typedef struct {
  enum op op;
  napi_async_work work;
  napi_deferred deferred;
  napi_ref src_ref, dst_ref;
  const uint8_t* src;
  size_t src_len;
  uint8_t* dst;
  size_t dst_len;
  int level;        // deflate level; lz4 acceleration
  int format;       // enum fmt
  int itemsize;     // inflate: unshuffle by this (0/1: none); lz4: shuffle by this; unshuffle
  size_t result;    // bytes written to dst
  const char* error; // static message, NULL on success
} job;

// Per-thread state: libuv's pool threads live as long as the process, so these are never freed.
static __thread struct libdeflate_decompressor* decompressor;
static __thread struct libdeflate_compressor* compressors[13];
static __thread uint8_t* scratch;
static __thread size_t scratch_len;

// A scratch buffer this large is freed after its job, so one huge chunk does not pin its size
// on every pool thread for the life of the process.
#define SCRATCH_KEEP (16u << 20)

static void scratch_trim(void) {
  if (scratch_len > SCRATCH_KEEP) {
    free(scratch);
    scratch = NULL;
    scratch_len = 0;
  }
}

static uint8_t* scratch_of(size_t n) {
  if (n == 0) n = 1;  // malloc(0) may return NULL, which is not running out of memory
  if (scratch_len < n) {
    free(scratch);
    scratch = malloc(n);
    scratch_len = scratch == NULL ? 0 : n;
  }
  return scratch;
}

// HDF5's and blosc's shuffle: byte j of element i sits at j * n + i. Trailing bytes that do not
// make a whole element are copied as they are.
static void unshuffle(const uint8_t* src, uint8_t* dst, size_t len, size_t itemsize) {
  size_t n = len / itemsize;
  if (itemsize == 4) {
    const uint8_t *b0 = src, *b1 = src + n, *b2 = src + 2 * n, *b3 = src + 3 * n;
    for (size_t i = 0; i < n; i++) {
      dst[4 * i] = b0[i];
      dst[4 * i + 1] = b1[i];
      dst[4 * i + 2] = b2[i];
      dst[4 * i + 3] = b3[i];
    }
  } else {
    for (size_t j = 0; j < itemsize; j++)
      for (size_t i = 0; i < n; i++) dst[i * itemsize + j] = src[j * n + i];
  }
  memcpy(dst + n * itemsize, src + n * itemsize, len - n * itemsize);
}

static void shuffle(const uint8_t* src, uint8_t* dst, size_t len, size_t itemsize) {
  size_t n = len / itemsize;
  if (itemsize == 4) {
    uint8_t *b0 = dst, *b1 = dst + n, *b2 = dst + 2 * n, *b3 = dst + 3 * n;
    for (size_t i = 0; i < n; i++) {
      b0[i] = src[4 * i];
      b1[i] = src[4 * i + 1];
      b2[i] = src[4 * i + 2];
      b3[i] = src[4 * i + 3];
    }
  } else {
    for (size_t j = 0; j < itemsize; j++)
      for (size_t i = 0; i < n; i++) dst[j * n + i] = src[i * itemsize + j];
  }
  memcpy(dst + n * itemsize, src + n * itemsize, len - n * itemsize);
}

static void run_inflate(job* j) {
  if (decompressor == NULL) decompressor = libdeflate_alloc_decompressor();
  if (decompressor == NULL) {
    j->error = "out of memory";
    return;
  }
  int unshuffled = j->itemsize > 1;
  uint8_t* out = unshuffled ? scratch_of(j->dst_len) : j->dst;
  if (out == NULL) {
    j->error = "out of memory";
    return;
  }
  size_t got = 0;
  enum libdeflate_result r = j->format == FMT_GZIP
    ? libdeflate_gzip_decompress(decompressor, j->src, j->src_len, out, j->dst_len, &got)
    : libdeflate_zlib_decompress(decompressor, j->src, j->src_len, out, j->dst_len, &got);
  if (r == LIBDEFLATE_INSUFFICIENT_SPACE) {
    // libdeflate also says this of a stream cut short by its last bytes (the checksum).
    j->error = "corrupt stream, or one that inflates to more bytes than expected";
    return;
  }
  if (r != LIBDEFLATE_SUCCESS) {
    j->error = "corrupt or truncated deflate stream";
    return;
  }
  if (unshuffled) unshuffle(out, j->dst, got, (size_t)j->itemsize);
  j->result = got;
}

static void run_deflate(job* j) {
  int level = j->level < 0 ? 0 : j->level > 12 ? 12 : j->level;
  if (compressors[level] == NULL) compressors[level] = libdeflate_alloc_compressor(level);
  struct libdeflate_compressor* c = compressors[level];
  if (c == NULL) {
    j->error = "out of memory";
    return;
  }
  size_t n = j->format == FMT_GZIP ? libdeflate_gzip_compress(c, j->src, j->src_len, j->dst, j->dst_len)
                                   : libdeflate_zlib_compress(c, j->src, j->src_len, j->dst, j->dst_len);
  if (n == 0) {
    j->error = "output buffer smaller than the deflate bound";
    return;
  }
  j->result = n;
}

// One LZ4 block (no size prefix), shuffled first when itemsize > 1; result 0 = does not shrink.
static void run_lz4(job* j) {
  const uint8_t* in = j->src;
  if (j->src_len > LZ4_MAX_INPUT_SIZE) {
    j->error = "block larger than LZ4's maximum input";
    return;
  }
  if (j->itemsize > 1) {
    uint8_t* s = scratch_of(j->src_len);
    if (s == NULL) {
      j->error = "out of memory";
      return;
    }
    shuffle(j->src, s, j->src_len, (size_t)j->itemsize);
    in = s;
  }
  size_t room = j->dst_len < j->src_len ? j->dst_len : j->src_len - 1;
  int n = j->src_len == 0 ? 0 : LZ4_compress_fast((const char*)in, (char*)j->dst, (int)j->src_len, (int)room, j->level < 1 ? 1 : j->level);
  j->result = n > 0 ? (size_t)n : 0;
}

static void execute(napi_env env, void* data) {
  (void)env;
  job* j = data;
  switch (j->op) {
    case OP_INFLATE: run_inflate(j); break;
    case OP_DEFLATE: run_deflate(j); break;
    case OP_LZ4: run_lz4(j); break;
    case OP_UNSHUFFLE: unshuffle(j->src, j->dst, j->src_len, (size_t)j->itemsize); j->result = j->src_len; break;
  }
  scratch_trim();
}

static void complete(napi_env env, napi_status status, void* data) {
  job* j = data;
  napi_value value;
  if (status != napi_ok) j->error = "cancelled";
  if (j->error == NULL) {
    napi_create_double(env, (double)j->result, &value);
    napi_resolve_deferred(env, j->deferred, value);
  } else {
    napi_value message;
    napi_create_string_utf8(env, j->error, NAPI_AUTO_LENGTH, &message);
    napi_create_error(env, NULL, message, &value);
    napi_reject_deferred(env, j->deferred, value);
  }
  napi_delete_reference(env, j->src_ref);
  if (j->dst_ref != NULL) napi_delete_reference(env, j->dst_ref);
  napi_delete_async_work(env, j->work);
  free(j);
}

static int bytes_of(napi_env env, napi_value v, uint8_t** data, size_t* len) {
  bool is_typed;
  if (napi_is_typedarray(env, v, &is_typed) != napi_ok || !is_typed) return 0;
  napi_typedarray_type type;
  void* p;
  size_t n;
  if (napi_get_typedarray_info(env, v, &type, &n, &p, NULL, NULL) != napi_ok || type != napi_uint8_array) return 0;
  *data = p;
  *len = n;
  return 1;
}

static napi_value fail(napi_env env, const char* message) {
  napi_throw_type_error(env, NULL, message);
  return NULL;
}

static int int_arg(napi_env env, napi_value v, int* out) {
  int32_t i;
  if (napi_get_value_int32(env, v, &i) != napi_ok) return 0;
  *out = i;
  return 1;
}

// (src: Uint8Array, dst: Uint8Array | null, a: int, b: int) -> Promise<number>
static napi_value start(napi_env env, napi_callback_info info, enum op op) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  job* j = calloc(1, sizeof(job));
  if (j == NULL) return fail(env, "out of memory");
  j->op = op;
  uint8_t* src;
  if (argc < 4 || !bytes_of(env, argv[0], &src, &j->src_len) || !bytes_of(env, argv[1], &j->dst, &j->dst_len) ||
      !int_arg(env, argv[2], op == OP_DEFLATE || op == OP_LZ4 ? &j->level : &j->itemsize) ||
      !int_arg(env, argv[3], op == OP_LZ4 ? &j->itemsize : &j->format)) {
    free(j);
    return fail(env, "expected (Uint8Array, Uint8Array, int, int)");
  }
  j->src = src;
  if (op == OP_UNSHUFFLE && (j->dst_len < j->src_len || j->itemsize < 1)) {
    free(j);
    return fail(env, "unshuffle: destination shorter than source, or itemsize < 1");
  }
  // References keep both buffers alive until the work completes.
  napi_value promise, name;
  if (napi_create_reference(env, argv[0], 1, &j->src_ref) != napi_ok) goto failed;
  if (napi_create_reference(env, argv[1], 1, &j->dst_ref) != napi_ok) goto failed;
  if (napi_create_string_utf8(env, "dmac_codecs", NAPI_AUTO_LENGTH, &name) != napi_ok) goto failed;
  if (napi_create_async_work(env, NULL, name, execute, complete, j, &j->work) != napi_ok) goto failed;
  if (napi_create_promise(env, &j->deferred, &promise) != napi_ok) goto failed;
  if (napi_queue_async_work(env, j->work) != napi_ok) {
    // The promise exists: settle it rather than leave it pending forever.
    napi_value message, error;
    napi_create_string_utf8(env, "dmac_codecs: cannot queue work", NAPI_AUTO_LENGTH, &message);
    napi_create_error(env, NULL, message, &error);
    napi_reject_deferred(env, j->deferred, error);
    j->deferred = NULL;
    goto release;
  }
  return promise;
failed:
  napi_throw_error(env, NULL, "dmac_codecs: cannot start the work");
  promise = NULL;
release:
  if (j->work != NULL) napi_delete_async_work(env, j->work);
  if (j->src_ref != NULL) napi_delete_reference(env, j->src_ref);
  if (j->dst_ref != NULL) napi_delete_reference(env, j->dst_ref);
  free(j);
  return promise;
}

static napi_value js_inflate(napi_env env, napi_callback_info info) { return start(env, info, OP_INFLATE); }
static napi_value js_deflate(napi_env env, napi_callback_info info) { return start(env, info, OP_DEFLATE); }
static napi_value js_lz4(napi_env env, napi_callback_info info) { return start(env, info, OP_LZ4); }
static napi_value js_unshuffle(napi_env env, napi_callback_info info) { return start(env, info, OP_UNSHUFFLE); }

// (n: number, gzip: 0|1) -> the most bytes deflating n bytes can produce.
static napi_value js_deflate_bound(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  double n;
  int gzip = 0;
  // !(n >= 0) also catches NaN; 2^53 is far above any buffer Node can hold.
  if (argc < 1 || napi_get_value_double(env, argv[0], &n) != napi_ok || !(n >= 0) || n > 9007199254740992.0) return fail(env, "expected a byte count");
  if (argc > 1) int_arg(env, argv[1], &gzip);
  size_t bound = gzip ? libdeflate_gzip_compress_bound(NULL, (size_t)n) : libdeflate_zlib_compress_bound(NULL, (size_t)n);
  napi_value out;
  napi_create_double(env, (double)bound, &out);
  return out;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
    {"inflate", NULL, js_inflate, NULL, NULL, NULL, napi_enumerable, NULL},
    {"deflate", NULL, js_deflate, NULL, NULL, NULL, napi_enumerable, NULL},
    {"lz4", NULL, js_lz4, NULL, NULL, NULL, napi_enumerable, NULL},
    {"unshuffle", NULL, js_unshuffle, NULL, NULL, NULL, napi_enumerable, NULL},
    {"deflateBound", NULL, js_deflate_bound, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}
