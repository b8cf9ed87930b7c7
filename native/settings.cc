// Process-wide determinism settings, named as PyTorch names them
// (torch.use_deterministic_algorithms, torch.set_num_interop_threads, torch.initial_seed,
// torch.set_flush_denormal).
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

void initSettings(Napi::Env env, Napi::Object exports) {
  auto fn = [&](const char* name, Napi::Function::Callback cb) { exports.Set(name, Napi::Function::New(env, cb, name)); };
  fn("useDeterministicAlgorithms", UseDeterministicAlgorithms);
  fn("areDeterministicAlgorithmsEnabled", AreDeterministicAlgorithmsEnabled);
  fn("isDeterministicAlgorithmsWarnOnlyEnabled", IsDeterministicAlgorithmsWarnOnlyEnabled);
  fn("setNumInteropThreads", SetNumInteropThreads);
  fn("getNumInteropThreads", GetNumInteropThreads);
  fn("initialSeed", InitialSeed);
  fn("setFlushDenormal", SetFlushDenormal);
}

}  // namespace fl
