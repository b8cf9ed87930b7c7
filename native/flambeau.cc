// The binding: one generic path to every ATen operator through the c10 dispatcher's
// boxed interface, plus tensor data in/out, autograd entry points, memory accounting.
#include "common.h"

#include <ATen/Parallel.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/core/class_type.h>
#include <ATen/core/jit_type.h>
#include <c10/core/CPUAllocator.h>
#include <c10/core/impl/alloc_cpu.h>
#include <c10/core/GradMode.h>
#include <c10/util/Logging.h>
#include <torch/csrc/autograd/anomaly_mode.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/variable.h>

#include <cmath>
#include <cstring>
#include <sstream>
#include <limits>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace fl {

// ---------------------------------------------------------------- tensor handles
TensorBox* unwrapBox(Napi::Env env, const Napi::Value& v, const char* what) {
  if (!v.IsExternal()) throwJs(env, std::string(what) + ": expected a Tensor");
  auto* box = static_cast<TensorBox*>(v.As<Napi::External<void>>().Data());
  if (box == nullptr || box->magic != kTensorMagic) throwJs(env, std::string(what) + ": expected a Tensor");
  return box;
}

at::Tensor& unwrapTensor(Napi::Env env, const Napi::Value& v, const char* what) {
  TensorBox* box = unwrapBox(env, v, what);
  if (!box->t.defined())
    throwJs(env, std::string(what) + ": the tensor was disposed (used after dispose() or outside its tidy())");
  return box->t;
}

[[noreturn]] void throwJs(Napi::Env env, const std::string& msg) {
  throw Napi::Error::New(env, msg);
}

// ---------------------------------------------------------------- argument kinds
enum class K : uint8_t {
  Tensor, OptTensor, TensorList, OptTensorList,
  Int, OptInt, IntList, OptIntList,
  Float, OptFloat, FloatList, OptFloatList,
  Bool, OptBool, BoolList,
  Scalar, OptScalar, ScalarType, OptScalarType,
  Str, OptStr, OptNone, MemoryFormat, OptMemoryFormat, Device, OptDevice,
  Object,  // a TorchScript custom class (the quantized kernels' packed weights)
  ObjectList,  // a list of them (aten::quantized_lstm's cell parameters)
  Unsupported
};

struct ArgSpec {
  K kind;
  c10::optional<c10::IValue> def;
  int32_t n;  // fixed list length (int[2]) or 0
  std::string name;
  std::string cls;  // K::Object / ObjectList: the class the schema asks for
  c10::TypePtr elem;  // K::ObjectList: the element type a typed list is built with
};

// An op's direct kernel: the unboxed ATen call for a few hot small ops, reading the JS
// arguments with raw N-API calls. It runs the same dispatcher path as the boxed call
// (autograd, type promotion, broadcasting) minus the IValue stack, the reference-count
// round trips and node-addon-api's type tests; on any argument it does not take as given
// (a missing one, a bool or BigInt scalar, a disposed tensor) it returns false and the boxed
// path runs, with its conversions and error messages.
using DirectKernel = bool (*)(napi_env env, const napi_value* argv, size_t argc, at::Tensor& out);

struct OpEntry {
  c10::OperatorHandle op;
  std::vector<ArgSpec> args;
  size_t nret;
  std::string name;
  DirectKernel direct = nullptr;
};

// The live tensor a JS value holds, or null. napi_get_value_external tests the one type it
// needs, where node-addon-api's IsExternal() goes through napi_typeof's chain of tests.
static inline const at::Tensor* peekTensor(napi_env env, napi_value v) {
  void* data = nullptr;
  if (napi_get_value_external(env, v, &data) != napi_ok || data == nullptr) return nullptr;
  auto* box = static_cast<TensorBox*>(data);
  if (box->magic != kTensorMagic || !box->t.defined()) return nullptr;
  return &box->t;
}

// A JS number as the Scalar the boxed path would make of it: integral values as int64.
static inline bool peekScalar(napi_env env, napi_value v, c10::Scalar& out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok) return false;
  out = numberScalar(d);
  return true;
}

// Binary ops of schema (self: Tensor, other: Tensor|Scalar[, alpha: Scalar]).
template <at::Tensor (*F)(const at::Tensor&, const at::Tensor&, const c10::Scalar&)>
static bool directTTS(napi_env env, const napi_value* a, size_t n, at::Tensor& out) {
  c10::Scalar alpha;
  const at::Tensor* x;
  const at::Tensor* y;
  if (n != 3 || !(x = peekTensor(env, a[0])) || !(y = peekTensor(env, a[1])) || !peekScalar(env, a[2], alpha)) return false;
  out = F(*x, *y, alpha);
  return true;
}
template <at::Tensor (*F)(const at::Tensor&, const c10::Scalar&, const c10::Scalar&)>
static bool directTSS(napi_env env, const napi_value* a, size_t n, at::Tensor& out) {
  c10::Scalar other, alpha;
  const at::Tensor* x;
  if (n != 3 || !(x = peekTensor(env, a[0])) || !peekScalar(env, a[1], other) || !peekScalar(env, a[2], alpha)) return false;
  out = F(*x, other, alpha);
  return true;
}
template <at::Tensor (*F)(const at::Tensor&, const at::Tensor&)>
static bool directTT(napi_env env, const napi_value* a, size_t n, at::Tensor& out) {
  const at::Tensor* x;
  const at::Tensor* y;
  if (n != 2 || !(x = peekTensor(env, a[0])) || !(y = peekTensor(env, a[1]))) return false;
  out = F(*x, *y);
  return true;
}
template <at::Tensor (*F)(const at::Tensor&, const c10::Scalar&)>
static bool directTS(napi_env env, const napi_value* a, size_t n, at::Tensor& out) {
  c10::Scalar other;
  const at::Tensor* x;
  if (n != 2 || !(x = peekTensor(env, a[0])) || !peekScalar(env, a[1], other)) return false;
  out = F(*x, other);
  return true;
}

static at::Tensor addTT(const at::Tensor& x, const at::Tensor& y, const c10::Scalar& a) { return at::add(x, y, a); }
static at::Tensor addTS(const at::Tensor& x, const c10::Scalar& y, const c10::Scalar& a) { return at::add(x, y, a); }
static at::Tensor subTT(const at::Tensor& x, const at::Tensor& y, const c10::Scalar& a) { return at::sub(x, y, a); }
static at::Tensor subTS(const at::Tensor& x, const c10::Scalar& y, const c10::Scalar& a) { return at::sub(x, y, a); }
static at::Tensor mulTT(const at::Tensor& x, const at::Tensor& y) { return at::mul(x, y); }
static at::Tensor mulTS(const at::Tensor& x, const c10::Scalar& y) { return at::mul(x, y); }
static at::Tensor divTT(const at::Tensor& x, const at::Tensor& y) { return at::div(x, y); }
static at::Tensor divTS(const at::Tensor& x, const c10::Scalar& y) { return at::div(x, y); }

// Keyed by the exact schema (name.overload), so an overload with other arguments never
// picks one up. Small elementwise ops are where the binding's own cost shows.
static DirectKernel directKernel(const std::string& key) {
  static const std::unordered_map<std::string, DirectKernel> table = {
      {"aten::add.Tensor", &directTTS<addTT>}, {"aten::add.Scalar", &directTSS<addTS>},
      {"aten::sub.Tensor", &directTTS<subTT>}, {"aten::sub.Scalar", &directTSS<subTS>},
      {"aten::mul.Tensor", &directTT<mulTT>},  {"aten::mul.Scalar", &directTS<mulTS>},
      {"aten::div.Tensor", &directTT<divTT>},  {"aten::div.Scalar", &directTS<divTS>},
  };
  auto it = table.find(key);
  return it == table.end() ? nullptr : it->second;
}

// The resolved ops, shared by every thread that loads the addon (the main thread, DataLoader
// and server workers). A worker resolving its first `flip` while the main thread calls `add`
// must not move the table under the reader: entries live in a fixed array that is never
// reallocated, published by a release store of the count; resolving takes a mutex.
constexpr int32_t kMaxOps = 1 << 14;  // libtorch 1.13 registers ~3,200 schemas
static std::unique_ptr<OpEntry> g_ops[kMaxOps];
static std::atomic<int32_t> g_opCount{0};
static std::unordered_map<std::string, int32_t> g_opIndex;  // guarded by g_opMutex
static std::mutex g_opMutex;

// The entry for a JS-supplied id, or null when the id is not one this addon handed out.
static inline OpEntry* opEntry(int32_t id) {
  return id >= 0 && id < g_opCount.load(std::memory_order_acquire) ? g_ops[id].get() : nullptr;
}

static K classify(const c10::TypePtr& real) {
  using TK = c10::TypeKind;
  bool opt = false;
  c10::TypePtr t = real;
  if (t->kind() == TK::OptionalType) {
    opt = true;
    t = t->castRaw<c10::OptionalType>()->getElementType();
  }
  switch (t->kind()) {
    case TK::TensorType: return opt ? K::OptTensor : K::Tensor;
    case TK::IntType:
    case TK::SymIntType: return opt ? K::OptInt : K::Int;
    case TK::FloatType: return opt ? K::OptFloat : K::Float;
    case TK::BoolType: return opt ? K::OptBool : K::Bool;
    case TK::NumberType: return opt ? K::OptScalar : K::Scalar;
    case TK::StringType: return opt ? K::OptStr : K::Str;
    case TK::ScalarTypeType: return opt ? K::OptScalarType : K::ScalarType;
    case TK::MemoryFormatType: return opt ? K::OptMemoryFormat : K::MemoryFormat;
    case TK::DeviceObjType: return opt ? K::OptDevice : K::Device;
    case TK::ClassType: return opt ? K::Unsupported : K::Object;
    case TK::LayoutType:
    case TK::GeneratorType: return opt ? K::OptNone : K::Unsupported;
    case TK::ListType: {
      auto e = t->castRaw<c10::ListType>()->getElementType();
      switch (e->kind()) {
        case TK::TensorType: return opt ? K::Unsupported : K::TensorList;
        case TK::OptionalType:
          if (e->castRaw<c10::OptionalType>()->getElementType()->kind() == TK::TensorType) return K::OptTensorList;
          return K::Unsupported;
        case TK::IntType:
        case TK::SymIntType: return opt ? K::OptIntList : K::IntList;
        case TK::FloatType: return opt ? K::OptFloatList : K::FloatList;
        case TK::BoolType: return opt ? K::Unsupported : K::BoolList;
        case TK::ClassType: return opt ? K::Unsupported : K::ObjectList;
        default: return K::Unsupported;
      }
    }
    default: return K::Unsupported;
  }
}

// opId(name, overload) -> integer id; resolves the schema once.
static Napi::Value OpId(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = info[0].As<Napi::String>();
  std::string overload = info.Length() > 1 && info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "";
  std::string key = overload.empty() ? name : name + "." + overload;
  std::lock_guard<std::mutex> lock(g_opMutex);
  auto it = g_opIndex.find(key);
  if (it != g_opIndex.end()) return Napi::Number::New(env, it->second);
  return guarded(env, key.c_str(), [&]() -> Napi::Value {
    auto handle = c10::Dispatcher::singleton().findSchemaOrThrow(name.c_str(), overload.c_str());
    auto entry = std::make_unique<OpEntry>(OpEntry{handle, {}, 0, key});
    const auto& schema = handle.schema();
    for (const auto& a : schema.arguments()) {
      K k = classify(a.real_type());
      std::string cls;
      c10::TypePtr elem;
      if (k == K::Object || k == K::ObjectList) {
        elem = k == K::Object ? a.real_type() : a.real_type()->castRaw<c10::ListType>()->getElementType();
        auto name = elem->castRaw<c10::ClassType>()->name();
        cls = name ? name->qualifiedName() : "";
      }
      entry->args.push_back(ArgSpec{k, a.default_value(), a.N() ? *a.N() : 0, a.name(), cls, elem});
    }
    entry->nret = schema.returns().size();
    entry->direct = directKernel(key);
    int32_t id = g_opCount.load(std::memory_order_relaxed);
    if (id >= kMaxOps) throwJs(env, "opId: more than " + std::to_string(kMaxOps) + " distinct ops resolved");
    g_ops[id] = std::move(entry);
    g_opCount.store(id + 1, std::memory_order_release);
    g_opIndex[key] = id;
    return Napi::Number::New(env, id);
  });
}

static Napi::Value OpSchema(const Napi::CallbackInfo& info) {
  int32_t id = info[0].As<Napi::Number>().Int32Value();
  OpEntry* e = opEntry(id);
  if (e == nullptr) throwJs(info.Env(), "opSchema: unknown op id");
  std::ostringstream os;
  os << e->op.schema();
  return Napi::String::New(info.Env(), os.str());
}

// Names a rejected JS value without calling its toString (which may throw, as it does
// for a tensor external or a Symbol, and would then replace our message).
static std::string describeJs(const Napi::Value& v) {
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    if (std::isnan(d)) return "NaN";
    if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
    std::ostringstream os;
    os.precision(17);
    os << d;
    return os.str();
  }
  if (v.IsString()) return "\"" + v.As<Napi::String>().Utf8Value() + "\"";
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value() ? "true" : "false";
  if (v.IsNull()) return "null";
  if (v.IsUndefined()) return "undefined";
  if (v.IsBigInt()) return "a BigInt";
  if (v.IsExternal()) {
    auto* magic = static_cast<uint32_t*>(v.As<Napi::External<void>>().Data());
    if (magic != nullptr && *magic == kObjectMagic) return "a packed-parameters handle";
    if (magic != nullptr && *magic == kModuleMagic) return "a ScriptModule";
    return "a Tensor";
  }
  if (v.IsArray()) return "an array";
  if (v.IsFunction()) return "a function";
  if (v.IsSymbol()) return "a Symbol";
  return "an object";
}

static int64_t toInt(Napi::Env env, const Napi::Value& v, const std::string& where) {
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    if (!isSafeInteger(d)) throwJs(env, where + ": expected a safe integer, got " + describeJs(v));
    return static_cast<int64_t>(d);
  }
  if (v.IsBigInt()) {
    bool lossless = true;
    int64_t r = v.As<Napi::BigInt>().Int64Value(&lossless);
    if (!lossless) throwJs(env, where + ": BigInt out of int64 range");
    return r;
  }
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value() ? 1 : 0;
  throwJs(env, where + ": expected an integer, got " + describeJs(v));
}

static double toDouble(Napi::Env env, const Napi::Value& v, const std::string& where) {
  if (v.IsNumber()) return v.As<Napi::Number>().DoubleValue();
  if (v.IsBigInt()) {
    bool lossless;
    return static_cast<double>(v.As<Napi::BigInt>().Int64Value(&lossless));
  }
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value() ? 1.0 : 0.0;
  throwJs(env, where + ": expected a number, got " + describeJs(v));
}

static c10::Scalar toScalar(Napi::Env env, const Napi::Value& v, const std::string& where) {
  if (v.IsBoolean()) return c10::Scalar(v.As<Napi::Boolean>().Value());
  if (v.IsBigInt()) return c10::Scalar(toInt(env, v, where));
  if (v.IsNumber()) return numberScalar(v.As<Napi::Number>().DoubleValue());
  throwJs(env, where + ": expected a number, got " + describeJs(v));
}

static bool isAllowedScalarType(int64_t c) {
  switch (static_cast<c10::ScalarType>(c)) {
    case c10::ScalarType::Byte: case c10::ScalarType::Char: case c10::ScalarType::Short:
    case c10::ScalarType::Int: case c10::ScalarType::Long: case c10::ScalarType::Half:
    case c10::ScalarType::Float: case c10::ScalarType::Double: case c10::ScalarType::Bool:
    case c10::ScalarType::BFloat16:
      return c >= 0 && c <= 15;
    default: return false;
  }
}

static std::vector<int64_t> toIntList(Napi::Env env, const Napi::Value& v, int32_t n, const std::string& where) {
  std::vector<int64_t> out;
  if (v.IsArray()) {
    Napi::Array a = v.As<Napi::Array>();
    uint32_t len = a.Length();
    out.reserve(len);
    for (uint32_t i = 0; i < len; i++) out.push_back(toInt(env, a.Get(i), where));
  } else if (v.IsNumber() || v.IsBigInt()) {
    int64_t x = toInt(env, v, where);
    out.assign(n > 0 ? n : 1, x);
  } else {
    throwJs(env, where + ": expected an array of integers");
  }
  return out;
}

static c10::IValue toIValueSlow(Napi::Env env, const ArgSpec& s, const Napi::Value& v, const std::string& op);

// Fast paths for the common argument types; the error text (with the op and argument
// names) is only built when a value is rejected, so a valid call allocates no strings.
static inline bool fastInt(const Napi::Value& v, int64_t& out) {
  if (!v.IsNumber()) return false;
  double d = v.As<Napi::Number>().DoubleValue();
  if (!isSafeInteger(d)) return false;
  out = static_cast<int64_t>(d);
  return true;
}

static c10::IValue toIValue(Napi::Env env, const ArgSpec& s, const Napi::Value& v, const std::string& op) {
  switch (s.kind) {
    case K::Tensor:
    case K::OptTensor:
      if (v.IsExternal()) {
        auto* box = static_cast<TensorBox*>(v.As<Napi::External<void>>().Data());
        if (box != nullptr && box->magic == kTensorMagic && box->t.defined()) return box->t;
      }
      break;
    case K::Int: {
      int64_t i;
      if (fastInt(v, i)) return i;
      break;
    }
    case K::Float:
      if (v.IsNumber()) return v.As<Napi::Number>().DoubleValue();
      break;
    case K::Bool:
      if (v.IsBoolean()) return v.As<Napi::Boolean>().Value();
      break;
    case K::Scalar:
      if (v.IsNumber()) return numberScalar(v.As<Napi::Number>().DoubleValue());
      break;
    default:
      break;
  }
  return toIValueSlow(env, s, v, op);
}

static c10::IValue toIValueSlow(Napi::Env env, const ArgSpec& s, const Napi::Value& v, const std::string& op) {
  auto W = [&]() { return op + " argument '" + s.name + "'"; };
  bool none = v.IsUndefined() || v.IsNull();
  if (v.IsUndefined() && s.def) return *s.def;
  switch (s.kind) {
    case K::OptTensor: if (none) return c10::IValue(); [[fallthrough]];
    case K::Tensor: {
      std::string w = W();
      return unwrapTensor(env, v, w.c_str());
    }
    case K::OptInt: if (none) return c10::IValue(); [[fallthrough]];
    case K::Int: return toInt(env, v, W());
    case K::OptIntList: if (none) return c10::IValue(); [[fallthrough]];
    case K::IntList: {
      if (v.IsArray()) {
        Napi::Array a = v.As<Napi::Array>();
        uint32_t len = a.Length();
        std::vector<int64_t> out(len);
        bool ok = true;
        for (uint32_t i = 0; i < len && ok; i++) ok = fastInt(a.Get(i), out[i]);
        if (ok) return c10::IValue(out);
      }
      return c10::IValue(toIntList(env, v, s.n, W()));
    }
    case K::OptFloat: if (none) return c10::IValue(); [[fallthrough]];
    case K::Float: return toDouble(env, v, W());
    case K::OptFloatList: if (none) return c10::IValue(); [[fallthrough]];
    case K::FloatList: {
      if (!v.IsArray()) throwJs(env, W() + ": expected an array of numbers");
      Napi::Array a = v.As<Napi::Array>();
      std::vector<double> out;
      for (uint32_t i = 0; i < a.Length(); i++) out.push_back(toDouble(env, a.Get(i), W()));
      return c10::IValue(out);
    }
    case K::OptBool: if (none) return c10::IValue(); [[fallthrough]];
    case K::Bool:
      if (!v.IsBoolean()) throwJs(env, W() + ": expected a boolean");
      return v.As<Napi::Boolean>().Value();
    case K::BoolList: {
      if (!v.IsArray()) throwJs(env, W() + ": expected an array of booleans");
      Napi::Array a = v.As<Napi::Array>();
      if (s.n != 3) throwJs(env, W() + ": unsupported bool list");
      std::array<bool, 3> out{};
      for (uint32_t i = 0; i < 3 && i < a.Length(); i++) out[i] = a.Get(i).ToBoolean().Value();
      return c10::IValue(out);
    }
    case K::OptScalar: if (none) return c10::IValue(); [[fallthrough]];
    case K::Scalar: return toScalar(env, v, W());
    case K::OptScalarType: if (none) return c10::IValue(); [[fallthrough]];
    case K::ScalarType: {
      int64_t c = toInt(env, v, W());
      // The quantized dtypes (qint8 12, quint8 13, qint32 14) are op arguments only
      // (quantize_per_tensor's dtype), never a buffer's element type.
      if (!isAllowedScalarType(c) && !(c >= 12 && c <= 14))
        throwJs(env, W() + ": unsupported dtype code " + std::to_string(c));
      return c10::IValue(c);
    }
    case K::OptStr: if (none) return c10::IValue(); [[fallthrough]];
    case K::Str:
      if (!v.IsString()) throwJs(env, W() + ": expected a string");
      return c10::IValue(v.As<Napi::String>().Utf8Value());
    case K::OptMemoryFormat: if (none) return c10::IValue(); [[fallthrough]];
    case K::MemoryFormat: {
      std::string f = v.IsString() ? v.As<Napi::String>().Utf8Value() : "";
      if (f == "contiguous") return c10::IValue(static_cast<int64_t>(c10::MemoryFormat::Contiguous));
      if (f == "preserve") return c10::IValue(static_cast<int64_t>(c10::MemoryFormat::Preserve));
      if (f == "channelsLast") return c10::IValue(static_cast<int64_t>(c10::MemoryFormat::ChannelsLast));
      throwJs(env, W() + ": memory format must be 'contiguous', 'preserve' or 'channelsLast'");
    }
    case K::OptDevice: if (none) return c10::IValue(); [[fallthrough]];
    case K::Device:
      if (v.IsString() && v.As<Napi::String>().Utf8Value() == "cpu") return c10::IValue(c10::Device(c10::kCPU));
      throwJs(env, W() + ": only the 'cpu' device exists in this build");
    case K::OptNone:
      if (!none) throwJs(env, W() + ": must be left unset");
      return c10::IValue();
    case K::TensorList: {
      if (!v.IsArray()) throwJs(env, W() + ": expected an array of tensors");
      Napi::Array a = v.As<Napi::Array>();
      std::vector<at::Tensor> out;
      out.reserve(a.Length());
      for (uint32_t i = 0; i < a.Length(); i++) out.push_back(unwrapTensor(env, a.Get(i), W().c_str()));
      return c10::IValue(out);
    }
    case K::OptTensorList: {
      if (!v.IsArray()) throwJs(env, W() + ": expected an array of tensors or nulls");
      Napi::Array a = v.As<Napi::Array>();
      c10::List<c10::optional<at::Tensor>> out;
      for (uint32_t i = 0; i < a.Length(); i++) {
        Napi::Value e = a.Get(i);
        if (e.IsNull() || e.IsUndefined()) out.push_back(c10::nullopt);
        else out.push_back(unwrapTensor(env, e, W().c_str()));
      }
      return c10::IValue(out);
    }
    case K::Object: {
      auto obj = unwrapObject(env, v, W());
      std::string got = objectClassName(obj);
      if (!s.cls.empty() && got != s.cls) throwJs(env, W() + ": expected a " + s.cls + ", got a " + got);
      return c10::IValue(std::move(obj));
    }
    case K::ObjectList: {
      if (!v.IsArray()) throwJs(env, W() + ": expected an array of packed-parameters handles");
      Napi::Array a = v.As<Napi::Array>();
      c10::impl::GenericList out(s.elem);
      out.reserve(a.Length());
      for (uint32_t i = 0; i < a.Length(); i++) {
        std::string w = W() + "[" + std::to_string(i) + "]";
        auto obj = unwrapObject(env, a.Get(i), w);
        std::string got = objectClassName(obj);
        if (!s.cls.empty() && got != s.cls) throwJs(env, w + ": expected a " + s.cls + ", got a " + got);
        out.push_back(c10::IValue(std::move(obj)));
      }
      return c10::IValue(std::move(out));
    }
    case K::Unsupported: break;
  }
  if (none && s.def) return *s.def;
  throwJs(env, W() + ": argument type not supported by the binding");
}

Napi::Value ivalueToJs(Napi::Env env, const c10::IValue& v) {
  if (v.isTensor()) return wrapTensor(env, v.toTensor());
  if (v.isNone()) return env.Null();
  if (v.isDouble()) return Napi::Number::New(env, v.toDouble());
  if (v.isInt()) {
    int64_t i = v.toInt();
    if (i > 9007199254740991LL || i < -9007199254740991LL) return Napi::BigInt::New(env, i);
    return Napi::Number::New(env, static_cast<double>(i));
  }
  if (v.isBool()) return Napi::Boolean::New(env, v.toBool());
  if (v.isString()) return Napi::String::New(env, v.toStringRef());
  if (v.isTensorList()) {
    auto l = v.toTensorList();
    Napi::Array a = Napi::Array::New(env, l.size());
    for (size_t i = 0; i < l.size(); i++) a.Set(static_cast<uint32_t>(i), wrapTensor(env, l.get(i)));
    return a;
  }
  if (v.isList()) {
    auto l = v.toListRef();
    Napi::Array a = Napi::Array::New(env, l.size());
    for (size_t i = 0; i < l.size(); i++) a.Set(static_cast<uint32_t>(i), ivalueToJs(env, l[i]));
    return a;
  }
  if (v.isTuple()) {
    const auto& el = v.toTupleRef().elements();
    Napi::Array a = Napi::Array::New(env, el.size());
    for (size_t i = 0; i < el.size(); i++) a.Set(static_cast<uint32_t>(i), ivalueToJs(env, el[i]));
    return a;
  }
  if (v.isGenericDict()) {
    Napi::Object o = Napi::Object::New(env);
    for (const auto& kv : v.toGenericDict()) {
      std::string key = kv.key().isString() ? kv.key().toStringRef() : std::to_string(kv.key().toInt());
      o.Set(key, ivalueToJs(env, kv.value()));
    }
    return o;
  }
  if (v.isScalar()) return Napi::Number::New(env, v.toScalar().toDouble());
  if (v.isObject()) return wrapObject(env, v.toObject());
  throwJs(env, std::string("cannot convert a value of type ") + v.tagKind() + " to JS");
}

// IValue stacks reused across calls, one per nesting depth (an op may call back into JS, as
// a custom Function's backward or a hook does, and that JS may call ops): a call then
// allocates no vector.
// Per thread: worker threads (DataLoader workers, the server's pool) call ops concurrently
// with the main thread; one shared set of stacks corrupted their arguments.
static thread_local std::vector<std::unique_ptr<torch::jit::Stack>> g_stacks;
static thread_local size_t g_stackDepth = 0;

struct StackLease {
  torch::jit::Stack* stack;
  StackLease() {
    if (g_stackDepth == g_stacks.size()) g_stacks.push_back(std::make_unique<torch::jit::Stack>());
    stack = g_stacks[g_stackDepth++].get();
  }
  ~StackLease() {
    stack->clear();
    g_stackDepth--;
  }
};

// callOp(id, ...args): builds the IValue stack from the schema and calls the boxed kernel
// (or the op's direct kernel).
static Napi::Value CallOp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t id = info[0].As<Napi::Number>().Int32Value();
  OpEntry* entry = opEntry(id);
  if (entry == nullptr) throwJs(env, "callOp: unknown op id");
  OpEntry& e = *entry;
  size_t given = info.Length() - 1;
  if (given > e.args.size())
    throwJs(env, e.name + ": takes " + std::to_string(e.args.size()) + " arguments, got " + std::to_string(given));
  StackLease lease;
  torch::jit::Stack& stack = *lease.stack;
  stack.reserve(e.args.size());
  for (size_t i = 0; i < e.args.size(); i++) {
    Napi::Value v = i < given ? info[i + 1] : env.Undefined();
    stack.push_back(toIValue(env, e.args[i], v, e.name));
  }
  guarded(env, e.name.c_str(), [&]() { e.op.callBoxed(&stack); });
  if (torch::autograd::AnomalyMode::is_enabled()) noteAnomalyOrigin(env, e.name, stack.data(), stack.size());
  if (e.nret == 0) return env.Undefined();
  if (e.nret == 1) return ivalueToJs(env, stack[0]);
  Napi::Array out = Napi::Array::New(env, stack.size());
  for (size_t i = 0; i < stack.size(); i++) out.Set(static_cast<uint32_t>(i), ivalueToJs(env, stack[i]));
  return out;
}

// The callOp entry point, registered as a raw N-API callback: a direct kernel takes the
// arguments as JS gave them; every other call (and a direct one that declines) builds a
// Napi::CallbackInfo and takes the boxed path above. Exceptions become JS errors here, as
// node-addon-api's own wrapper would do.
static napi_value CallOpEntry(napi_env env, napi_callback_info cbinfo) {
  constexpr size_t kMax = 4;
  size_t argc = kMax;
  napi_value argv[kMax];
  try {
    if (napi_get_cb_info(env, cbinfo, &argc, argv, nullptr, nullptr) == napi_ok && argc >= 1 && argc <= kMax) {
      int32_t id = -1;
      napi_get_value_int32(env, argv[0], &id);
      OpEntry* entry = opEntry(id);
      if (entry != nullptr && entry->direct != nullptr) {
        OpEntry& e = *entry;
        {
          at::Tensor out;
          bool done = guarded(Napi::Env(env), e.name.c_str(), [&]() { return e.direct(env, argv + 1, argc - 1, out); });
          if (done) {
            if (torch::autograd::AnomalyMode::is_enabled()) {
              c10::IValue iv(out);
              noteAnomalyOrigin(Napi::Env(env), e.name, &iv, 1);
            }
            return wrapTensor(Napi::Env(env), std::move(out));
          }
        }
      }
    }
    Napi::CallbackInfo info(env, cbinfo);
    return CallOp(info);
  } catch (const Napi::Error& err) {
    err.ThrowAsJavaScriptException();
    return nullptr;
  }
}

// ---------------------------------------------------------------- data in / out
// fromBuffer(typedArray, shape, dtypeCode): copies the bytes into a new tensor.
static Napi::Value FromBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray()) throwJs(env, "fromBuffer: expected a TypedArray");
  Napi::TypedArray ta = info[0].As<Napi::TypedArray>();
  std::vector<int64_t> shape = toIntList(env, info[1], 0, "fromBuffer shape");
  int64_t code = toInt(env, info[2], "fromBuffer dtype");
  if (!isAllowedScalarType(code)) throwJs(env, "fromBuffer: unsupported dtype");
  auto st = static_cast<c10::ScalarType>(code);
  return guarded(env, "fromBuffer", [&]() {
    at::Tensor t = at::empty(shape, at::TensorOptions().dtype(st));
    size_t nbytes = static_cast<size_t>(t.numel()) * c10::elementSize(st);
    if (nbytes != ta.ByteLength())
      throwJs(env, "fromBuffer: buffer holds " + std::to_string(ta.ByteLength()) + " bytes, shape needs " +
                       std::to_string(nbytes));
    if (nbytes) {
      auto* src = static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
      std::memcpy(t.data_ptr(), src, nbytes);
    }
    return wrapTensor(env, std::move(t));
  });
}

// toBuffer(t): a fresh ArrayBuffer with the tensor's elements in row-major order.
static Napi::Value ToBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  at::Tensor& t = unwrapTensor(env, info[0], "data");
  return guarded(env, "data", [&]() -> Napi::Value {
    // A ZeroTensor (the gradient of sgn, for one) has no storage: reading its data_ptr crashes.
    // A oneDNN (mkldnn) tensor keeps a blocked layout with no strides: read its dense copy.
    at::Tensor c = t._is_zerotensor() ? at::zeros(t.sizes(), t.options())
                   : t.is_mkldnn()    ? t.to_dense()
                                      : t.detach().contiguous();
    size_t nbytes = static_cast<size_t>(c.numel()) * c.element_size();
    Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(env, nbytes);
    if (nbytes) std::memcpy(buf.Data(), c.data_ptr(), nbytes);
    return buf;
  });
}

static Napi::Value Item(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  at::Tensor& t = unwrapTensor(env, info[0], "item");
  return guarded(env, "item", [&]() -> Napi::Value {
    if (t.numel() != 1)
      throwJs(env, "item: a Tensor with " + std::to_string(t.numel()) + " elements cannot be converted to a number");
    c10::Scalar s = t._is_zerotensor() ? at::zeros({}, t.options()).item() : t.is_mkldnn() ? t.to_dense().item() : t.item();
    if (s.isBoolean()) return Napi::Boolean::New(env, s.toBool());
    if (s.isIntegral(false)) {
      int64_t i = s.toLong();
      if (t.scalar_type() == c10::ScalarType::Long) return Napi::BigInt::New(env, i);
      return Napi::Number::New(env, static_cast<double>(i));
    }
    return Napi::Number::New(env, s.toDouble());
  });
}

// ---------------------------------------------------------------- metadata
static Napi::Value Shape(const Napi::CallbackInfo& info) {
  at::Tensor& t = unwrapTensor(info.Env(), info[0], "shape");
  auto sizes = t.sizes();
  Napi::Array a = Napi::Array::New(info.Env(), sizes.size());
  for (size_t i = 0; i < sizes.size(); i++) a.Set(static_cast<uint32_t>(i), static_cast<double>(sizes[i]));
  return a;
}

static Napi::Value Strides(const Napi::CallbackInfo& info) {
  at::Tensor& t = unwrapTensor(info.Env(), info[0], "stride");
  // libtorch raises a C++ error (which would end the process here) for a layout without strides.
  if (t.is_mkldnn()) throwJs(info.Env(), "stride: a oneDNN (mkldnn) tensor has no strides; call toDense() first");
  auto st = t.strides();
  Napi::Array a = Napi::Array::New(info.Env(), st.size());
  for (size_t i = 0; i < st.size(); i++) a.Set(static_cast<uint32_t>(i), static_cast<double>(st[i]));
  return a;
}

static Napi::Value Dtype(const Napi::CallbackInfo& info) {
  at::Tensor& t = unwrapTensor(info.Env(), info[0], "dtype");
  return Napi::Number::New(info.Env(), static_cast<int>(t.scalar_type()));
}

static Napi::Value Numel(const Napi::CallbackInfo& info) {
  at::Tensor& t = unwrapTensor(info.Env(), info[0], "numel");
  return Napi::Number::New(info.Env(), static_cast<double>(t.numel()));
}

static Napi::Value IsContiguous(const Napi::CallbackInfo& info) {
  at::Tensor& t = unwrapTensor(info.Env(), info[0], "isContiguous");
  if (t.is_mkldnn()) return Napi::Boolean::New(info.Env(), false);
  return Napi::Boolean::New(info.Env(), t.is_contiguous());
}

static Napi::Value IsMkldnn(const Napi::CallbackInfo& info) {
  at::Tensor& t = unwrapTensor(info.Env(), info[0], "isMkldnn");
  return Napi::Boolean::New(info.Env(), t.is_mkldnn());
}

static Napi::Value Dispose(const Napi::CallbackInfo& info) {
  TensorBox* box = unwrapBox(info.Env(), info[0], "dispose");
  if (box->t.defined()) {
    box->t = at::Tensor();
    g_liveTensors--;
  }
  return info.Env().Undefined();
}

static Napi::Value IsDisposed(const Napi::CallbackInfo& info) {
  TensorBox* box = unwrapBox(info.Env(), info[0], "isDisposed");
  return Napi::Boolean::New(info.Env(), !box->t.defined());
}

static Napi::Value SameStorage(const Napi::CallbackInfo& info) {
  at::Tensor& a = unwrapTensor(info.Env(), info[0], "sameStorage");
  at::Tensor& b = unwrapTensor(info.Env(), info[1], "sameStorage");
  return Napi::Boolean::New(info.Env(), a.unsafeGetTensorImpl() == b.unsafeGetTensorImpl());
}

// ---------------------------------------------------------------- autograd
static Napi::Value RequiresGrad(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), unwrapTensor(info.Env(), info[0], "requiresGrad").requires_grad());
}

static Napi::Value SetRequiresGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  at::Tensor& t = unwrapTensor(env, info[0], "requiresGrad_");
  bool on = info[1].ToBoolean().Value();
  guarded(env, "requiresGrad_", [&]() { t.set_requires_grad(on); });
  return env.Undefined();
}

static Napi::Value Grad(const Napi::CallbackInfo& info) {
  at::Tensor& t = unwrapTensor(info.Env(), info[0], "grad");
  const at::Tensor& g = t.grad();
  return g.defined() ? wrapTensor(info.Env(), g) : info.Env().Null();
}

static Napi::Value SetGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  at::Tensor& t = unwrapTensor(env, info[0], "grad");
  at::Tensor g = info[1].IsNull() || info[1].IsUndefined() ? at::Tensor() : unwrapTensor(env, info[1], "grad");
  guarded(env, "grad", [&]() { t.mutable_grad() = g; });
  return env.Undefined();
}

static Napi::Value IsLeaf(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), unwrapTensor(info.Env(), info[0], "isLeaf").is_leaf());
}

static Napi::Value GradFnName(const Napi::CallbackInfo& info) {
  at::Tensor& t = unwrapTensor(info.Env(), info[0], "gradFn");
  auto fn = t.grad_fn();
  if (!fn) return info.Env().Null();
  return Napi::String::New(info.Env(), fn->name());
}

static Napi::Value RetainGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  at::Tensor& t = unwrapTensor(env, info[0], "retainGrad");
  guarded(env, "retainGrad", [&]() { t.retain_grad(); });
  return env.Undefined();
}

static Napi::Value Version(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(unwrapTensor(info.Env(), info[0], "version")._version()));
}

static std::vector<at::Tensor> tensorArray(Napi::Env env, const Napi::Value& v, const char* what, bool allowNull) {
  std::vector<at::Tensor> out;
  if (v.IsUndefined() || v.IsNull()) return out;
  if (!v.IsArray()) throwJs(env, std::string(what) + ": expected an array of tensors");
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) {
    Napi::Value e = a.Get(i);
    if (allowNull && (e.IsNull() || e.IsUndefined())) out.emplace_back();
    else out.push_back(unwrapTensor(env, e, what));
  }
  return out;
}

static c10::optional<bool> optBool(const Napi::Value& v) {
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value();
  return c10::nullopt;
}

// backward(tensors, grads, retainGraph?, createGraph, inputs?)
static Napi::Value Backward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto tensors = tensorArray(env, info[0], "backward", false);
  auto grads = tensorArray(env, info[1], "backward", true);
  auto retain = optBool(info[2]);
  bool create = info[3].ToBoolean().Value();
  auto inputs = tensorArray(env, info[4], "backward", false);
  guarded(env, "backward", [&]() { torch::autograd::backward(tensors, grads, retain, create, inputs); });
  return env.Undefined();
}

// grad(outputs, inputs, gradOutputs, retainGraph?, createGraph, allowUnused)
static Napi::Value AutogradGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto outputs = tensorArray(env, info[0], "autograd.grad", false);
  auto inputs = tensorArray(env, info[1], "autograd.grad", false);
  auto gradOutputs = tensorArray(env, info[2], "autograd.grad", true);
  auto retain = optBool(info[3]);
  bool create = info[4].ToBoolean().Value();
  bool allowUnused = info[5].ToBoolean().Value();
  auto res = guarded(env, "autograd.grad", [&]() {
    return torch::autograd::grad(outputs, inputs, gradOutputs, retain, create, allowUnused);
  });
  Napi::Array a = Napi::Array::New(env, res.size());
  for (size_t i = 0; i < res.size(); i++) a.Set(static_cast<uint32_t>(i), wrapTensor(env, res[i]));
  return a;
}

static Napi::Value SetGradEnabled(const Napi::CallbackInfo& info) {
  bool prev = c10::GradMode::is_enabled();
  c10::GradMode::set_enabled(info[0].ToBoolean().Value());
  return Napi::Boolean::New(info.Env(), prev);
}

static Napi::Value IsGradEnabled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), c10::GradMode::is_enabled());
}

// inferenceMode(fn): calls fn under c10::InferenceMode (PyTorch's torch.inference_mode): no
// autograd and no version counters or view tracking for the tensors made inside. The guard is
// a scope, so it wraps the JS call; it ends however fn returns or throws.
static Napi::Value InferenceModeCall(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsFunction()) throwJs(env, "inferenceMode: expected a function");
  c10::InferenceMode guard(true);
  return info[0].As<Napi::Function>().Call({});
}

static Napi::Value IsInferenceModeEnabled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), c10::InferenceMode::is_enabled());
}

// ---------------------------------------------------------------- runtime
static Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int64_t n = toInt(env, info[0], "setNumThreads");
  if (n < 1 || n > 1024) throwJs(env, "setNumThreads: n must be in [1, 1024], got " + std::to_string(n));
  guarded(env, "setNumThreads", [&]() { at::set_num_threads(static_cast<int>(n)); });
  return env.Undefined();
}

static Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::get_num_threads());
}

static Napi::Value ManualSeed(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int64_t seed = toInt(env, info[0], "manualSeed");
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_current_seed(static_cast<uint64_t>(seed));
  return env.Undefined();
}

static Napi::Value GetRngState(const Napi::CallbackInfo& info) {
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  return wrapTensor(info.Env(), gen.get_state());
}

static Napi::Value SetRngState(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  at::Tensor& s = unwrapTensor(env, info[0], "setRngState");
  guarded(env, "setRngState", [&]() {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(s);
  });
  return env.Undefined();
}

static Napi::Value Memory(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("liveTensors", static_cast<double>(g_liveTensors.load()));
  o.Set("bytes", static_cast<double>(allocatedBytes()));
  o.Set("peakBytes", static_cast<double>(peakBytes()));
  o.Set("cachedBytes", static_cast<double>(cachedBytes()));
  o.Set("budget", static_cast<double>(memoryBudget()));
  return o;
}

static Napi::Value SetMemoryBudget(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int64_t b = toInt(env, info[0], "setMemoryBudget");
  if (b < 0) throwJs(env, "setMemoryBudget: bytes must be >= 0 (0 disables the budget)");
  setMemoryBudget(b);
  return env.Undefined();
}

static Napi::Value EmptyCache(const Napi::CallbackInfo& info) {
  emptyCache();
  return info.Env().Undefined();
}

static Napi::Value ResetPeak(const Napi::CallbackInfo& info) {
  resetPeakBytes();
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  static std::once_flag once;
  std::call_once(once, []() {
    installAllocator();
    // c10::Error captures and symbolises a C++ backtrace when constructed (~1-25 ms per
    // error); the binding drops it (what_without_backtrace), so don't compute it.
    c10::SetStackTraceFetcher([]() { return std::string(); });
  });
  auto fn = [&](const char* name, Napi::Function::Callback cb) { exports.Set(name, Napi::Function::New(env, cb, name)); };
  fn("opId", OpId);
  fn("opSchema", OpSchema);
  exports.Set("callOp", Napi::Function(env, [&]() {
    napi_value f;
    NAPI_THROW_IF_FAILED(env, napi_create_function(env, "callOp", NAPI_AUTO_LENGTH, CallOpEntry, nullptr, &f), Napi::Function());
    return f;
  }()));
  fn("fromBuffer", FromBuffer);
  fn("toBuffer", ToBuffer);
  fn("item", Item);
  fn("shape", Shape);
  fn("strides", Strides);
  fn("dtype", Dtype);
  fn("numel", Numel);
  fn("isContiguous", IsContiguous);
  fn("isMkldnn", IsMkldnn);
  fn("dispose", Dispose);
  fn("isDisposed", IsDisposed);
  fn("sameImpl", SameStorage);
  fn("requiresGrad", RequiresGrad);
  fn("setRequiresGrad", SetRequiresGrad);
  fn("grad", Grad);
  fn("setGrad", SetGrad);
  fn("isLeaf", IsLeaf);
  fn("gradFnName", GradFnName);
  fn("retainGrad", RetainGrad);
  fn("version", Version);
  fn("backward", Backward);
  fn("autogradGrad", AutogradGrad);
  fn("setGradEnabled", SetGradEnabled);
  fn("inferenceMode", InferenceModeCall);
  fn("isInferenceModeEnabled", IsInferenceModeEnabled);
  fn("isGradEnabled", IsGradEnabled);
  fn("setNumThreads", SetNumThreads);
  fn("getNumThreads", GetNumThreads);
  fn("manualSeed", ManualSeed);
  fn("getRngState", GetRngState);
  fn("setRngState", SetRngState);
  fn("memory", Memory);
  fn("setMemoryBudget", SetMemoryBudget);
  fn("resetPeakMemory", ResetPeak);
  fn("emptyCache", EmptyCache);
  initJit(env, exports);
  initAutograd(env, exports);
  initSettings(env, exports);
  initObjects(env, exports);
  return exports;
}

}  // namespace fl

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return fl::Init(env, exports); }
NODE_API_MODULE(flambeau, InitModule)
