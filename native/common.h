// Shared pieces of the binding: the tensor box, conversions between JS values and
// c10::IValue, and the one error path. Everything here is thin on purpose; the
// TypeScript layer above names, types and validates the operators.
#pragma once
#ifndef NAPI_EXPERIMENTAL
#define NAPI_EXPERIMENTAL  // basic (synchronous) finalizers: GC frees native memory inside sync loops
#endif
#define NODE_ADDON_API_DISABLE_DEPRECATED
#include <napi.h>

#include <ATen/ATen.h>
#include <ATen/core/ivalue.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <string>

namespace fl {

// A JS number that is an integer JS can hold exactly (Number.isSafeInteger).
inline bool isSafeInteger(double d) {
  return std::isfinite(d) && std::floor(d) == d && std::fabs(d) <= 9007199254740991.0;
}

// A JS number as a Scalar: integral values act as Python ints (keep integer dtypes), others as floats.
inline c10::Scalar numberScalar(double d) {
  return isSafeInteger(d) ? c10::Scalar(static_cast<int64_t>(d)) : c10::Scalar(d);
}

// Every external this addon hands to JS starts with a magic word, so a value of the
// wrong kind is rejected with an error instead of being reinterpreted.
constexpr uint32_t kTensorMagic = 0x464c5431;  // "FLT1"
constexpr uint32_t kModuleMagic = 0x464c4d31;  // "FLM1"
constexpr uint32_t kObjectMagic = 0x464c4f31;  // "FLO1"

struct TensorBox {
  uint32_t magic = kTensorMagic;
  at::Tensor t;
};

extern std::atomic<int64_t> g_liveTensors;

// Wraps a tensor in a new JS external whose GC finalizer frees it.
Napi::Value wrapTensor(Napi::Env env, at::Tensor t);
// Reads a tensor external; throws a JS error naming `what` when it is not one or was disposed.
at::Tensor& unwrapTensor(Napi::Env env, const Napi::Value& v, const char* what);
TensorBox* unwrapBox(Napi::Env env, const Napi::Value& v, const char* what);

// A TorchScript custom-class object (a quantized kernel's packed weights) held for JS as an
// opaque handle: a distinct external, so it is never read as a tensor (or the reverse). The GC
// finalizer, or dispose, drops the reference.
struct ObjectBox {
  uint32_t magic = kObjectMagic;
  c10::intrusive_ptr<c10::ivalue::Object> obj;
};
Napi::Value wrapObject(Napi::Env env, c10::intrusive_ptr<c10::ivalue::Object> obj);
// The live object a JS value holds; throws a JS error naming `what` when it is not one or was disposed.
c10::intrusive_ptr<c10::ivalue::Object> unwrapObject(Napi::Env env, const Napi::Value& v, const std::string& what);
// The class name an object reports (`__torch__.torch.classes.quantized.LinearPackedParamsBase`).
std::string objectClassName(const c10::intrusive_ptr<c10::ivalue::Object>& obj);
void initObjects(Napi::Env env, Napi::Object exports);

// Converts a JS value to an IValue without a schema (TorchScript inputs), and back.
c10::IValue jsToIValueLoose(Napi::Env env, const Napi::Value& v);
Napi::Value ivalueToJs(Napi::Env env, const c10::IValue& v);

// Reports the allocator's byte count to V8 so that GC pressure follows native memory.
void syncExternalMemory(Napi::Env env);

// The counting CPU allocator (native/memory.cc): installed once, at load.
void installAllocator();
int64_t allocatedBytes();
int64_t peakBytes();
// Bytes of freed large blocks kept for reuse, and handing them back to the system.
int64_t cachedBytes();
void emptyCache();
int64_t memoryBudget();
void setMemoryBudget(int64_t bytes);
void resetPeakBytes();

[[noreturn]] void throwJs(Napi::Env env, const std::string& msg);

// Runs fn, turning every C++ exception into a JS Error whose message starts with `where`.
template <typename F>
auto guarded(Napi::Env env, const char* where, F&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const Napi::Error&) {
    throw;
  } catch (const c10::Error& e) {
    throwJs(env, std::string(where) + ": " + e.what_without_backtrace());
  } catch (const std::exception& e) {
    throwJs(env, std::string(where) + ": " + e.what());
  } catch (...) {
    throwJs(env, std::string(where) + ": unknown native error");
  }
}

void initJit(Napi::Env env, Napi::Object exports);
void initAutograd(Napi::Env env, Napi::Object exports);
// Process-wide determinism and inter-op thread settings (native/settings.cc).
void initSettings(Napi::Env env, Napi::Object exports);
// In anomaly mode: remembers which op (and JS stack) made each output's grad_fn, so that a NaN
// found in backward can name it (native/autograd.cc).
void noteAnomalyOrigin(Napi::Env env, const std::string& op, const c10::IValue* outs, size_t n);

}  // namespace fl
