// Process-wide determinism settings, named as PyTorch names them
// (torch.use_deterministic_algorithms, torch.set_num_interop_threads, torch.initial_seed,
// torch.set_flush_denormal, torch.backends.quantized.engine).
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <ATen/Parallel.h>

#include <mutex>

#include "common.h"

namespace fl {

static Napi::Value UseDeterministicAlgorithms(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsBoolean() || !info[1].IsBoolean())
    throwJs(env, "useDeterministicAlgorithms: expected (mode: boolean, warnOnly: boolean)");
  bool mode = info[0].As<Napi::Boolean>().Value();
  bool warnOnly = info[1].As<Napi::Boolean>().Value();
  guarded(env, "useDeterministicAlgorithms", [&]() { at::globalContext().setDeterministicAlgorithms(mode, warnOnly); });
  return env.Undefined();
}

static Napi::Value AreDeterministicAlgorithmsEnabled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), at::globalContext().deterministicAlgorithms());
}

static Napi::Value IsDeterministicAlgorithmsWarnOnlyEnabled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), at::globalContext().deterministicAlgorithmsWarnOnly());
}

// libtorch allows this once, before any inter-op work has started; later calls throw, and
// guarded turns that into a JS error.
static Napi::Value SetNumInteropThreads(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber()) throwJs(env, "setNumInteropThreads: n must be a number");
  double n = info[0].As<Napi::Number>().DoubleValue();
  if (!(n >= 1 && n <= 1024) || n != static_cast<double>(static_cast<int>(n)))
    throwJs(env, "setNumInteropThreads: n must be an integer in [1, 1024], got " + std::to_string(n));
  guarded(env, "setNumInteropThreads", [&]() { at::set_num_interop_threads(static_cast<int>(n)); });
  return env.Undefined();
}

static Napi::Value GetNumInteropThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::get_num_interop_threads());
}

// The seed the default CPU generator was last seeded with (a BigInt: seeds span 64 bits).
static Napi::Value InitialSeed(const Napi::CallbackInfo& info) {
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  return Napi::BigInt::New(info.Env(), static_cast<uint64_t>(gen.current_seed()));
}

// Returns whether the CPU supports flushing denormals (SSE3); only then is the setting applied.
static Napi::Value SetFlushDenormal(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsBoolean()) throwJs(env, "setFlushDenormal: mode must be a boolean");
  return Napi::Boolean::New(env, at::globalContext().setFlushDenormal(info[0].As<Napi::Boolean>().Value()));
}

static const char* qengineName(at::QEngine e) {
  switch (e) {
    case at::QEngine::NoQEngine: return "none";
    case at::QEngine::FBGEMM: return "fbgemm";
    case at::QEngine::QNNPACK: return "qnnpack";
    case at::QEngine::ONEDNN: return "onednn";
    case at::QEngine::X86: return "x86";
  }
  return "unknown";
}

// The quantized kernels' backend (torch.backends.quantized.engine): packed weights are made for
// one engine, so pack after choosing it.
static Napi::Value QuantizedEngine(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), qengineName(at::globalContext().qEngine()));
}

static Napi::Value SupportedQuantizedEngines(const Napi::CallbackInfo& info) {
  const auto& engines = at::globalContext().supportedQEngines();
  Napi::Array a = Napi::Array::New(info.Env(), engines.size());
  for (size_t i = 0; i < engines.size(); i++) a.Set(static_cast<uint32_t>(i), qengineName(engines[i]));
  return a;
}

static Napi::Value SetQuantizedEngine(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
  std::string known;
  for (auto e : at::globalContext().supportedQEngines()) {
    if (name == qengineName(e)) {
      guarded(env, "setQuantizedEngine", [&]() { at::globalContext().setQEngine(e); });
      return env.Undefined();
    }
    known += std::string(known.empty() ? "" : ", ") + qengineName(e);
  }
  throwJs(env, "setQuantizedEngine: engine \"" + name + "\" is not supported by this libtorch; supported: " + known);
}

void initSettings(Napi::Env env, Napi::Object exports) {
  auto fn = [&](const char* name, Napi::Function::Callback cb) { exports.Set(name, Napi::Function::New(env, cb, name)); };
  fn("useDeterministicAlgorithms", UseDeterministicAlgorithms);
  fn("areDeterministicAlgorithmsEnabled", AreDeterministicAlgorithmsEnabled);
  fn("isDeterministicAlgorithmsWarnOnlyEnabled", IsDeterministicAlgorithmsWarnOnlyEnabled);
  fn("setNumInteropThreads", SetNumInteropThreads);
  fn("getNumInteropThreads", GetNumInteropThreads);
  fn("initialSeed", InitialSeed);
  fn("setFlushDenormal", SetFlushDenormal);
  fn("quantizedEngine", QuantizedEngine);
  fn("supportedQuantizedEngines", SupportedQuantizedEngines);
  fn("setQuantizedEngine", SetQuantizedEngine);
}

}  // namespace fl
