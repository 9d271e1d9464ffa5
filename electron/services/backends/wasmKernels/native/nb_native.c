/*
 * The native kernels addon (see native/README.md): registers every generated wrapper under its module's name, and
 * tells the loader which instruction sets the CPU runs (it loads the highest-level build the CPU supports).
 */
#include "nb_native.h"
#include <stdio.h>
#include <string.h>

static napi_value nb_throw(napi_env env, const char* fn, const char* what) {
  char message[256];
  snprintf(message, sizeof message, "native kernel %s: %s", fn, what);
  napi_throw_type_error(env, NULL, message);
  return NULL;
}

/*
 * Arguments convert as a WebAssembly export's do (the JS API's ToWebAssemblyValue): extra values are ignored, missing
 * ones are undefined, and non-numbers go through ToNumber — so undefined is 0 for an int or pointer, NaN for a float.
 */
int nb_args(napi_env env, napi_callback_info info, const char* fn, size_t* argc, napi_value* argv, size_t expected,
            char** heap, size_t* bytes) {
  (void)expected; /* argv has room for `expected` values; napi fills the ones not passed with undefined */
  if (napi_get_cb_info(env, info, argc, argv, NULL, NULL) != napi_ok) return 0;
  /* The heap as a Uint8Array over the whole memory (its buffer is a SharedArrayBuffer in tfjs' threaded build, which
     Node-API reaches only through a view), or as a plain ArrayBuffer. */
  void* data = NULL;
  bool is = false;
  if (*argc >= 1 && napi_is_typedarray(env, argv[0], &is) == napi_ok && is) {
    napi_typedarray_type type;
    size_t length, offset;
    if (napi_get_typedarray_info(env, argv[0], &type, &length, &data, NULL, &offset) == napi_ok && type == napi_uint8_array &&
        offset == 0 && data != NULL) {
      *heap = (char*)data;
      *bytes = length;
      return 1;
    }
  } else if (*argc >= 1 && napi_get_arraybuffer_info(env, argv[0], &data, bytes) == napi_ok && data != NULL) {
    *heap = (char*)data;
    return 1;
  }
  nb_throw(env, fn, "the first argument must be the wasm heap (its ArrayBuffer, or a Uint8Array over all of it)");
  return 0;
}

static int nb_number(napi_env env, napi_value v, double* out) {
  if (napi_get_value_double(env, v, out) == napi_ok) return 1;
  napi_value n;
  return napi_coerce_to_number(env, v, &n) == napi_ok && napi_get_value_double(env, n, out) == napi_ok;
}

int nb_ptr(napi_env env, napi_value v, char* heap, size_t bytes, const char* fn, const char* arg, void** out) {
  double d;
  if (!nb_number(env, v, &d)) return 0; /* ToNumber threw: the exception is pending */
  /* ToInt32, then the unsigned offset a wasm32 pointer is */
  uint32_t offset = d == d && d > -4294967296.0 && d < 4294967296.0 ? (uint32_t)(int64_t)d : 0;
  if (offset >= bytes) {
    char what[128];
    snprintf(what, sizeof what, "%s (%u) is not a byte offset inside the heap (%zu bytes)", arg, offset, bytes);
    nb_throw(env, fn, what);
    return 0;
  }
  *out = offset == 0 ? NULL : heap + offset; /* 0 is NULL, as in wasm (tfjs never allocates at 0) */
  return 1;
}

int nb_int(napi_env env, napi_value v, const char* fn, const char* arg, int32_t* out) {
  (void)fn; (void)arg;
  if (napi_get_value_int32(env, v, out) == napi_ok) return 1;
  double d;
  if (!nb_number(env, v, &d)) return 0;
  napi_value n;
  return napi_create_double(env, d, &n) == napi_ok && napi_get_value_int32(env, n, out) == napi_ok;
}

int nb_float(napi_env env, napi_value v, const char* fn, const char* arg, double* out) {
  (void)fn; (void)arg;
  return nb_number(env, v, out);
}

napi_value nb_int_result(napi_env env, int32_t value) {
  napi_value result;
  return napi_create_int32(env, value, &result) == napi_ok ? result : NULL;
}

/* cpu('avx2') etc.: whether the CPU runs an instruction set (x86-64 only; false elsewhere). */
static napi_value nb_cpu(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char name[32] = {0};
  size_t len = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], name, sizeof name, &len) != napi_ok) return NULL;
  int yes = 0;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  if (!strcmp(name, "avx2")) yes = __builtin_cpu_supports("avx2");
  else if (!strcmp(name, "fma")) yes = __builtin_cpu_supports("fma");
  else if (!strcmp(name, "avx512f")) yes = __builtin_cpu_supports("avx512f");
  else if (!strcmp(name, "avx512bw")) yes = __builtin_cpu_supports("avx512bw");
  else if (!strcmp(name, "avx512dq")) yes = __builtin_cpu_supports("avx512dq");
  else if (!strcmp(name, "avx512vl")) yes = __builtin_cpu_supports("avx512vl");
  else if (!strcmp(name, "bmi2")) yes = __builtin_cpu_supports("bmi2");
#endif
  napi_value result;
  napi_get_boolean(env, yes, &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_value modules, fn;
  napi_create_object(env, &modules);
  for (const nb_export* e = nb_exports; e->name; e++) {
    napi_value module;
    bool has = false;
    napi_has_named_property(env, modules, e->module, &has);
    if (has) napi_get_named_property(env, modules, e->module, &module);
    else {
      napi_create_object(env, &module);
      napi_set_named_property(env, modules, e->module, module);
    }
    napi_create_function(env, e->name, NAPI_AUTO_LENGTH, e->fn, NULL, &fn);
    napi_set_named_property(env, module, e->name, fn);
  }
  napi_set_named_property(env, exports, "modules", modules);
  napi_create_function(env, "cpu", NAPI_AUTO_LENGTH, nb_cpu, NULL, &fn);
  napi_set_named_property(env, exports, "cpu", fn);
  napi_value level;
#if defined(__AVX512F__)
  napi_create_string_utf8(env, "v4", NAPI_AUTO_LENGTH, &level);
#elif defined(__AVX2__)
  napi_create_string_utf8(env, "v3", NAPI_AUTO_LENGTH, &level);
#else
  napi_create_string_utf8(env, "base", NAPI_AUTO_LENGTH, &level);
#endif
  napi_set_named_property(env, exports, "level", level);
  return exports;
}
