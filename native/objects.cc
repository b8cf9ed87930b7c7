// Opaque handles to TorchScript custom-class objects, which is what libtorch's quantized kernels
// take for their weights (quantized::linear_prepack makes a LinearPackedParamsBase, and
// quantized::linear / linear_dynamic consume it). The op-call path returns and accepts them;
// JS only holds, passes and frees them.
#include <ATen/core/ivalue.h>
#include <ATen/core/class_type.h>
#include <ATen/core/jit_type.h>

#include "common.h"

namespace fl {

static std::atomic<int64_t> g_liveObjects{0};

static void finalizeObject(node_api_basic_env, void* data, void*) {
  auto* box = static_cast<ObjectBox*>(data);
  if (box->obj) g_liveObjects--;
  delete box;
}

Napi::Value wrapObject(Napi::Env env, c10::intrusive_ptr<c10::ivalue::Object> obj) {
  auto* box = new ObjectBox();
  box->obj = std::move(obj);
  g_liveObjects++;
  napi_value out;
  if (napi_create_external(env, box, finalizeObject, nullptr, &out) != napi_ok) {
    delete box;
    g_liveObjects--;
    throwJs(env, "flambeau: could not create an object handle");
  }
  return Napi::Value(env, out);
}

static ObjectBox* peekObjectBox(const Napi::Value& v) {
  if (!v.IsExternal()) return nullptr;
  auto* box = static_cast<ObjectBox*>(v.As<Napi::External<void>>().Data());
  return box != nullptr && box->magic == kObjectMagic ? box : nullptr;
}

c10::intrusive_ptr<c10::ivalue::Object> unwrapObject(Napi::Env env, const Napi::Value& v, const std::string& what) {
  ObjectBox* box = peekObjectBox(v);
  if (box == nullptr) throwJs(env, what + ": expected a packed-parameters handle");
  if (!box->obj) throwJs(env, what + ": the packed-parameters handle was disposed");
  return box->obj;
}

std::string objectClassName(const c10::intrusive_ptr<c10::ivalue::Object>& obj) {
  auto name = obj->type()->name();
  return name ? name->qualifiedName() : std::string("(anonymous class)");
}

// objectClass(handle) -> the class name, or null when the value is not an object handle.
static Napi::Value ObjectClass(const Napi::CallbackInfo& info) {
  ObjectBox* box = peekObjectBox(info[0]);
  if (box == nullptr) return info.Env().Null();
  if (!box->obj) return Napi::String::New(info.Env(), "");
  return Napi::String::New(info.Env(), objectClassName(box->obj));
}

// disposeObject(handle): frees the object now (packed weights are large) instead of at GC.
static Napi::Value DisposeObject(const Napi::CallbackInfo& info) {
  ObjectBox* box = peekObjectBox(info[0]);
  if (box == nullptr) throwJs(info.Env(), "disposeObject: expected a packed-parameters handle");
  if (box->obj) {
    box->obj.reset();
    g_liveObjects--;
  }
  return info.Env().Undefined();
}

static Napi::Value LiveObjects(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(g_liveObjects.load()));
}

void initObjects(Napi::Env env, Napi::Object exports) {
  auto fn = [&](const char* name, Napi::Function::Callback cb) { exports.Set(name, Napi::Function::New(env, cb, name)); };
  fn("objectClass", ObjectClass);
  fn("disposeObject", DisposeObject);
  fn("liveObjects", LiveObjects);
}

}  // namespace fl
