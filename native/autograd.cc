// Autograd driven from JavaScript: custom Functions whose backward is a JS function, tensor
// gradient hooks, anomaly mode, and the note that names the forward op behind a NaN.
//
// Threading: for CPU graphs libtorch's engine runs backward on the thread that called
// backward()/grad(), which is the JS thread inside a native call, so a JS backward or hook is
// called synchronously from the engine. Re-entrant backward deeper than the engine's
// MAX_DEPTH (60) moves to a libtorch pool thread, where JS cannot run: that, and any other
// foreign thread, raises a clear error instead of touching V8 off its thread.
#include <torch/csrc/autograd/anomaly_mode.h>
#include <torch/csrc/autograd/custom_function.h>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/function_hook.h>
#include <torch/csrc/autograd/saved_variable.h>
#include <torch/csrc/autograd/variable.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "common.h"

namespace fl {

using torch::autograd::Node;
using torch::autograd::SavedVariable;
using torch::autograd::variable_list;
using torch::autograd::VariableInfo;

// ---------------------------------------------------------------- JS callbacks held by C++
// The JS environment of one thread; `alive` turns false when it is torn down, after which
// references into it are leaked rather than deleted.
struct EnvState {
  napi_env env;
  std::thread::id thread;
  std::atomic<bool> alive{true};
};
static thread_local std::shared_ptr<EnvState> t_env;

// A persistent reference to a JS function, usable from the thread that made it only.
struct JsCallback {
  std::shared_ptr<EnvState> st;
  napi_ref ref = nullptr;
  JsCallback(Napi::Env env, Napi::Function fn) : st(t_env) {
    if (!st) throwJs(env, "flambeau: autograd callbacks are not initialised in this environment");
    if (napi_create_reference(env, fn, 1, &ref) != napi_ok) throwJs(env, "flambeau: could not keep a callback");
  }
  ~JsCallback() {
    // Deleting a reference is allowed only on its thread, while its environment lives.
    if (ref != nullptr && st->alive.load() && std::this_thread::get_id() == st->thread) napi_delete_reference(st->env, ref);
  }
  JsCallback(const JsCallback&) = delete;
  JsCallback& operator=(const JsCallback&) = delete;

  // Throws (a C++ exception the engine carries to the outer backward call) unless JS may run here.
  void checkThread(const std::string& who) const {
    if (std::this_thread::get_id() != st->thread)
      throw std::runtime_error(who +
                               ": a JavaScript backward or hook was reached on a libtorch worker thread, where JS "
                               "cannot run (re-entrant backward nested deeper than 60 levels, e.g. nested "
                               "checkpoints); flatten the nesting");
    if (!st->alive.load()) throw std::runtime_error(who + ": the JavaScript environment is gone");
  }
  Napi::Value call(const std::initializer_list<napi_value>& args) const {
    Napi::Env env(st->env);
    napi_value fn;
    if (napi_get_reference_value(st->env, ref, &fn) != napi_ok || fn == nullptr)
      throw std::runtime_error("flambeau: a JavaScript callback was released");
    return Napi::Function(env, fn).Call(args);  // a JS exception becomes Napi::Error (a std::exception)
  }
};

static std::vector<at::Tensor> handleList(Napi::Env env, const Napi::Value& v, const char* what, bool allowNull) {
  std::vector<at::Tensor> out;
  if (v.IsUndefined() || v.IsNull()) return out;
  if (!v.IsArray()) throwJs(env, std::string(what) + ": expected an array of tensors");
  Napi::Array a = v.As<Napi::Array>();
  out.reserve(a.Length());
  for (uint32_t i = 0; i < a.Length(); i++) {
    Napi::Value e = a.Get(i);
    if (allowNull && (e.IsNull() || e.IsUndefined())) out.emplace_back();
    else out.push_back(unwrapTensor(env, e, what));
  }
  return out;
}

static Napi::Array handleArray(Napi::Env env, const variable_list& ts) {
  Napi::Array a = Napi::Array::New(env, ts.size());
  for (size_t i = 0; i < ts.size(); i++) a.Set(static_cast<uint32_t>(i), wrapTensor(env, ts[i]));
  return a;
}

// ---------------------------------------------------------------- anomaly: who made the NaN
// In anomaly mode every node created from JS gets this post hook. The engine runs post hooks
// right before its own NaN check, so the hook that sees a NaN belongs to the node the engine
// is about to blame; it leaves the forward op and the JS stack that created the node.
struct AnomalyNote {
  bool set = false;
  std::string node, op, stack;
};
static thread_local AnomalyNote t_note;

struct NanOriginHook : public torch::autograd::FunctionPostHook {
  std::string node, op, stack;
  NanOriginHook(std::string n, std::string o, std::string s) : node(std::move(n)), op(std::move(o)), stack(std::move(s)) {}
  variable_list operator()(const variable_list& outputs, const variable_list& inputs) override {
    if (!t_note.set && torch::autograd::AnomalyMode::should_check_nan()) {
      at::AutoGradMode off(false);
      for (const auto& o : outputs) {
        if (o.defined() && at::isnan(o).any().item<bool>()) {
          t_note = {true, node, op, stack};
          break;
        }
      }
    }
    return outputs;
  }
};

static std::string jsStack(Napi::Env env) {
  // Flambeau's own frames (dispatch, generated wrappers) come first: keep enough for the caller's.
  Napi::Object ctor = env.Global().Get("Error").As<Napi::Object>();
  Napi::Value limit = ctor.Get("stackTraceLimit");
  ctor.Set("stackTraceLimit", 40);
  Napi::Value s = Napi::Error::New(env, "").Value().Get("stack");
  ctor.Set("stackTraceLimit", limit);
  return s.IsString() ? s.As<Napi::String>().Utf8Value() : std::string();
}

void noteAnomalyOrigin(Napi::Env env, const std::string& op, const c10::IValue* outs, size_t n) {
  std::string stack;
  std::vector<Node*> done;  // outputs of one op may share a node (tuples, tensor lists)
  auto note = [&](const at::Tensor& t) {
    auto fn = t.defined() ? t.grad_fn() : nullptr;
    if (!fn || std::find(done.begin(), done.end(), fn.get()) != done.end()) return;
    done.push_back(fn.get());
    if (stack.empty()) stack = jsStack(env);
    fn->add_post_hook(std::make_unique<NanOriginHook>(fn->name(), op, stack));
  };
  for (size_t i = 0; i < n; i++) {
    if (outs[i].isTensor()) note(outs[i].toTensor());
    else if (outs[i].isTensorList())
      for (const at::Tensor& t : outs[i].toTensorList().vec()) note(t);
  }
}

// anomalyNote(): the node that produced the last NaN in backward, or null; clears it.
static Napi::Value AnomalyNoteJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!t_note.set) return env.Null();
  Napi::Object o = Napi::Object::New(env);
  o.Set("node", t_note.node);
  o.Set("op", t_note.op);
  o.Set("stack", t_note.stack);
  t_note = AnomalyNote();
  return o;
}

// setAnomalyEnabled(on, checkNan) → previous [on, checkNan]
static Napi::Value SetAnomalyEnabled(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array prev = Napi::Array::New(env, 2);
  prev.Set(0u, torch::autograd::AnomalyMode::is_enabled());
  prev.Set(1u, torch::autograd::AnomalyMode::should_check_nan());
  torch::autograd::AnomalyMode::set_enabled(info[0].ToBoolean().Value(), info[1].ToBoolean().Value());
  t_note = AnomalyNote();
  return prev;
}

static Napi::Value IsAnomalyEnabled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), torch::autograd::AnomalyMode::is_enabled());
}

// ---------------------------------------------------------------- custom Functions
// The graph node of one call of a custom Function; apply() calls the JS backward with the
// output gradients and the unpacked saved tensors, and returns one gradient per input.
struct JsNode : public Node {
  std::string name_;
  std::shared_ptr<JsCallback> backward_;
  std::vector<SavedVariable> saved_;
  std::vector<VariableInfo> outputInfo_;
  size_t numInputs_ = 0;
  bool materialize_ = true;

  std::string name() const override { return name_; }

  variable_list apply(variable_list&& grads) override {
    backward_->checkThread(name_);
    at::OptionalDeviceGuard guard;
    for (size_t i = 0; i < grads.size(); i++)
      if (!grads[i].defined() && materialize_ && i < outputInfo_.size()) grads[i] = outputInfo_[i].zeros(guard);
    variable_list saved;
    saved.reserve(saved_.size());
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (const auto& s : saved_) saved.push_back(s.unpack(shared_from_this()));
    }
    Napi::Env env(backward_->st->env);
    Napi::HandleScope scope(env);
    Napi::Value r = backward_->call({handleArray(env, grads), handleArray(env, saved)});
    if (!r.IsArray()) throw std::runtime_error(name_ + ": the backward callback must return an array");
    Napi::Array a = r.As<Napi::Array>();
    if (a.Length() != numInputs_)
      throw std::runtime_error(name_ + ": backward returned " + std::to_string(a.Length()) + " gradients for " +
                               std::to_string(numInputs_) + " tensor inputs");
    variable_list out;
    out.reserve(numInputs_);
    for (uint32_t i = 0; i < a.Length(); i++) {
      Napi::Value e = a.Get(i);
      if (e.IsNull() || e.IsUndefined()) out.emplace_back();
      else out.push_back(unwrapTensor(env, e, (name_ + " gradient").c_str()));
    }
    return out;
  }

  void release_variables() override {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& s : saved_) s.reset_data();
  }
};

// fnWrap(name, inputs, outputs, saved, nonDifferentiable, materializeGrads, backward) → outputs
// Called after the JS forward ran under no-grad: makes the node, points it at the inputs'
// gradient edges, makes it the grad_fn of the outputs (as Function<T>::apply does in
// custom_function.h), and saves the tensors for backward (outputs without a reference cycle).
static Napi::Value FnWrap(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = info[0].As<Napi::String>().Utf8Value();
  auto inputs = handleList(env, info[1], "autograd.Function inputs", false);
  auto outputs = handleList(env, info[2], "autograd.Function outputs", false);
  auto toSave = handleList(env, info[3], "autograd.Function saved tensors", true);
  std::unordered_set<at::TensorImpl*> nonDiff;
  if (info[4].IsArray()) {
    Napi::Array a = info[4].As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); i++) {
      uint32_t k = a.Get(i).As<Napi::Number>().Uint32Value();
      if (k >= outputs.size()) throwJs(env, name + ": non-differentiable output index out of range");
      nonDiff.insert(outputs[k].unsafeGetTensorImpl());
    }
  }
  bool materialize = info[5].ToBoolean().Value();
  if (!info[6].IsFunction()) throwJs(env, name + ": backward must be a function");

  return guarded(env, name.c_str(), [&]() -> Napi::Value {
    bool executable = c10::GradMode::is_enabled() && torch::autograd::any_variable_requires_grad(inputs);
    std::shared_ptr<JsNode> node;
    if (executable) {
      node = std::shared_ptr<JsNode>(new JsNode(), torch::autograd::deleteNode);
      node->name_ = name;
      node->numInputs_ = inputs.size();
      node->materialize_ = materialize;
      node->backward_ = std::make_shared<JsCallback>(env, info[6].As<Napi::Function>());
      node->set_next_edges(torch::autograd::collect_next_edges(inputs));
      node->clear_input_metadata();
    }
    std::vector<c10::optional<at::Tensor>> raw(outputs.begin(), outputs.end());
    torch::autograd::_jvp_fn_t jvp = [name](variable_list, variable_list) -> variable_list {
      TORCH_CHECK(false, name, ": forward-mode AD (jvp) is not implemented for JS custom Functions");
    };
    auto wrapped = torch::autograd::_wrap_outputs(inputs, nonDiff, {}, raw, node, jvp);
    variable_list result;
    result.reserve(wrapped.size());
    for (auto& w : wrapped) result.push_back(w.has_value() ? *w : at::Tensor());
    if (executable) {
      for (auto& r : result) node->outputInfo_.emplace_back(r);
      for (const auto& v : toSave) {
        if (v.defined()) node->saved_.emplace_back(v, v.grad_fn().get() == node.get());
        else node->saved_.emplace_back();
      }
      if (torch::autograd::AnomalyMode::is_enabled()) {
        std::string fn = name.size() > 8 && name.compare(name.size() - 8, 8, "Backward") == 0 ? name.substr(0, name.size() - 8) : name;
        node->add_post_hook(std::make_unique<NanOriginHook>(name, "the custom Function " + fn, jsStack(env)));
      }
    }
    return handleArray(env, result);
  });
}

// ---------------------------------------------------------------- tensor hooks
// registerHook(t, fn) → position; fn(gradHandle) returns a handle (the new gradient) or null.
static Napi::Value RegisterHook(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  at::Tensor& t = unwrapTensor(env, info[0], "registerHook");
  if (!info[1].IsFunction()) throwJs(env, "registerHook: expects a function");
  auto cb = std::make_shared<JsCallback>(env, info[1].As<Napi::Function>());
  unsigned pos = guarded(env, "registerHook", [&]() {
    return t.register_hook([cb](const at::Tensor& grad) -> at::Tensor {
      cb->checkThread("tensor hook");
      Napi::Env e(cb->st->env);
      Napi::HandleScope scope(e);
      Napi::Value r = cb->call({wrapTensor(e, grad)});
      if (r.IsNull() || r.IsUndefined()) return at::Tensor();
      return unwrapTensor(e, r, "tensor hook result");
    });
  });
  return Napi::Number::New(env, pos);
}

static Napi::Value RemoveHook(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  at::Tensor& t = unwrapTensor(env, info[0], "removeHook");
  unsigned pos = info[1].As<Napi::Number>().Uint32Value();
  guarded(env, "removeHook", [&]() { t.remove_hook(pos); });
  return env.Undefined();
}

// In anomaly mode the engine also prints "Error detected in XBackward0" with a C++ backtrace
// before it rethrows; the FlambeauError carries that (and the JS stack), so drop the print.
struct AnomalyQuietHandler : public c10::WarningHandler {
  c10::WarningHandler* next;
  explicit AnomalyQuietHandler(c10::WarningHandler* n) : next(n) {}
  void process(const c10::SourceLocation& loc, const std::string& msg, const bool verbatim) override {
    if (msg.rfind("Error detected in ", 0) == 0) return;
    if (next != nullptr) next->process(loc, msg, verbatim);
  }
};

// ---------------------------------------------------------------- init
void initAutograd(Napi::Env env, Napi::Object exports) {
  static std::once_flag once;
  std::call_once(once, []() {
    static AnomalyQuietHandler quiet(c10::Warning::get_warning_handler());
    c10::Warning::set_warning_handler(&quiet);
  });
  auto st = std::make_shared<EnvState>();
  st->env = env;
  st->thread = std::this_thread::get_id();
  t_env = st;
  auto* keep = new std::shared_ptr<EnvState>(st);
  napi_add_env_cleanup_hook(
      env,
      [](void* arg) {
        auto* p = static_cast<std::shared_ptr<EnvState>*>(arg);
        (*p)->alive = false;
        delete p;
      },
      keep);
  auto fn = [&](const char* name, Napi::Function::Callback cb) { exports.Set(name, Napi::Function::New(env, cb, name)); };
  fn("fnWrap", FnWrap);
  fn("registerHook", RegisterHook);
  fn("removeHook", RemoveHook);
  fn("setAnomalyEnabled", SetAnomalyEnabled);
  fn("isAnomalyEnabled", IsAnomalyEnabled);
  fn("anomalyNote", AnomalyNoteJs);
}

}  // namespace fl
