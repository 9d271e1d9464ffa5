/*
 * Node-API glue shared by the generated wrappers (scripts/build-native-kernels.mjs): each wrapper takes the tfjs wasm
 * heap (an ArrayBuffer) first, then the kernel's own arguments exactly as the WebAssembly export takes them — byte
 * offsets into the heap for pointers (0 is NULL, as in wasm), numbers for int and float.
 */
#ifndef NB_NATIVE_H
#define NB_NATIVE_H
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdint.h>

typedef struct {
  const char* module;
  const char* name;
  napi_callback fn;
} nb_export;
extern const nb_export nb_exports[];

int nb_args(napi_env env, napi_callback_info info, const char* fn, size_t* argc, napi_value* argv, size_t expected,
            char** heap, size_t* bytes);
int nb_ptr(napi_env env, napi_value v, char* heap, size_t bytes, const char* fn, const char* arg, void** out);
int nb_int(napi_env env, napi_value v, const char* fn, const char* arg, int32_t* out);
int nb_float(napi_env env, napi_value v, const char* fn, const char* arg, double* out);
napi_value nb_int_result(napi_env env, int32_t value);
#endif
