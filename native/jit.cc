// TorchScript: load a module saved by Python's torch.jit.save and run its methods.
// Never load untrusted TorchScript: the format can run arbitrary code paths in libtorch.
#include <torch/script.h>

#include "common.h"

namespace fl {

struct ModuleBox {
  uint32_t magic = kModuleMagic;
  torch::jit::Module m;
};

static void finalizeModule(node_api_basic_env, void* data, void*) { delete static_cast<ModuleBox*>(data); }

static ModuleBox* unwrapModule(Napi::Env env, const Napi::Value& v) {
  if (!v.IsExternal()) throwJs(env, "jit: expected a ScriptModule handle");
  auto* box = static_cast<ModuleBox*>(v.As<Napi::External<void>>().Data());
  if (box == nullptr || box->magic != kModuleMagic) throwJs(env, "jit: expected a ScriptModule handle");
  return box;
}

c10::IValue jsToIValueLoose(Napi::Env env, const Napi::Value& v) {
  if (v.IsExternal()) return unwrapTensor(env, v, "jit argument");
  if (v.IsNull() || v.IsUndefined()) return c10::IValue();
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value();
  if (v.IsString()) return v.As<Napi::String>().Utf8Value();
  if (v.IsBigInt()) {
    bool lossless = true;
    int64_t i = v.As<Napi::BigInt>().Int64Value(&lossless);
    if (!lossless) throwJs(env, "jit: BigInt argument out of int64 range");
    return i;
  }
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    if (isSafeInteger(d)) return static_cast<int64_t>(d);
    return d;
  }
  if (v.IsArray()) {
    // Arrays become tuples: TorchScript's forward(Tuple[Tensor, Tensor]) is the common case.
    Napi::Array a = v.As<Napi::Array>();
    std::vector<c10::IValue> el;
    for (uint32_t i = 0; i < a.Length(); i++) el.push_back(jsToIValueLoose(env, a.Get(i)));
    return c10::ivalue::Tuple::create(std::move(el));
  }
  throwJs(env, "jit: unsupported argument type (use tensors, numbers, booleans, strings or arrays)");
}

static Napi::Value JitLoad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) throwJs(env, "jit.load: expected a path");
  std::string path = info[0].As<Napi::String>();
  auto* box = guarded(env, ("jit.load(" + path + ")").c_str(), [&]() {
    auto* b = new ModuleBox();
    try {
      b->m = torch::jit::load(path);
      b->m.eval();
    } catch (...) {
      delete b;
      throw;
    }
    return b;
  });
  napi_value out;
  napi_create_external(env, box, finalizeModule, nullptr, &out);
  return Napi::Value(env, out);
}

// jitCall(module, method, ...args)
static Napi::Value JitCall(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ModuleBox* box = unwrapModule(env, info[0]);
  std::string method = info[1].As<Napi::String>();
  std::vector<c10::IValue> args;
  for (size_t i = 2; i < info.Length(); i++) args.push_back(jsToIValueLoose(env, info[i]));
  auto res = guarded(env, ("jit " + method).c_str(), [&]() {
    auto m = box->m.find_method(method);
    if (!m) throw std::runtime_error("the module has no method '" + method + "'");
    return (*m)(std::move(args));
  });
  return ivalueToJs(env, res);
}

static Napi::Value JitTrain(const Napi::CallbackInfo& info) {
  ModuleBox* box = unwrapModule(info.Env(), info[0]);
  box->m.train(info[1].ToBoolean().Value());
  return info.Env().Undefined();
}

static Napi::Value JitNamedParameters(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ModuleBox* box = unwrapModule(env, info[0]);
  Napi::Array out = Napi::Array::New(env);
  uint32_t i = 0;
  for (const auto& p : box->m.named_parameters(true)) {
    Napi::Array pair = Napi::Array::New(env, 2);
    pair.Set(0u, Napi::String::New(env, p.name));
    pair.Set(1u, wrapTensor(env, p.value));
    out.Set(i++, pair);
  }
  for (const auto& p : box->m.named_buffers(true)) {
    Napi::Array pair = Napi::Array::New(env, 2);
    pair.Set(0u, Napi::String::New(env, p.name));
    pair.Set(1u, wrapTensor(env, p.value));
    out.Set(i++, pair);
  }
  return out;
}

void initJit(Napi::Env env, Napi::Object exports) {
  exports.Set("jitLoad", Napi::Function::New(env, JitLoad, "jitLoad"));
  exports.Set("jitCall", Napi::Function::New(env, JitCall, "jitCall"));
  exports.Set("jitTrain", Napi::Function::New(env, JitTrain, "jitTrain"));
  exports.Set("jitNamedState", Napi::Function::New(env, JitNamedParameters, "jitNamedState"));
}

}  // namespace fl
