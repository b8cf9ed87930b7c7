// The c10d binding: a TCPStore rendezvous, a ProcessGroupGloo, and its collectives.
// Nothing here is home-made networking: libtorch's c10d does the work. What this file adds
// is the Node side of it: every blocking call (the rendezvous, each collective's wait)
// runs on a libuv worker thread and settles a Promise, so the event loop keeps running,
// and a heartbeat through the store lets a survivor say WHICH rank died.
//
// It is built as its own addon (flambeau_distributed.node) so that the main addon never
// links Gloo: a machine without libgloo still runs everything else.
#include "common.h"

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace fl {
namespace {

constexpr uint32_t kGroupMagic = 0x464c4731;  // "FLG1"
constexpr auto kHeartbeat = std::chrono::milliseconds(250);
const char* const kHeartbeatKey = "flambeau/heartbeat/";

struct Group {
  uint32_t magic = kGroupMagic;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> pg;
  std::string host;
  int port = 0;
  int rank = 0;
  int size = 0;
  std::chrono::milliseconds timeout{0};
  std::chrono::milliseconds rendezvousTimeout{0};
  // The heartbeat: a thread that bumps a per-rank counter in the store.
  std::thread beat;
  std::mutex mu;
  std::condition_variable cv;
  bool stop = false;

  void stopHeartbeat() {
    {
      std::lock_guard<std::mutex> lock(mu);
      stop = true;
    }
    cv.notify_all();
    if (beat.joinable()) beat.join();
  }
  ~Group() { stopHeartbeat(); }
};

c10::intrusive_ptr<c10d::TCPStore> connectStore(const std::string& host, int port, bool server, int workers,
                                                  std::chrono::milliseconds timeout) {
  c10d::TCPStoreOptions o;
  o.port = static_cast<uint16_t>(port);
  o.isServer = server;
  o.timeout = timeout;
  o.multiTenant = true;  // as torch.distributed does, so a Python rank 0 and we agree
  if (workers > 0) {
    o.numWorkers = static_cast<size_t>(workers);
    o.waitWorkers = true;
  } else {
    o.waitWorkers = false;
  }
  return c10::make_intrusive<c10d::TCPStore>(host, o);
}

void heartbeatLoop(Group* g) {
  c10::intrusive_ptr<c10d::TCPStore> store;
  std::string key = std::string(kHeartbeatKey) + std::to_string(g->rank);
  std::unique_lock<std::mutex> lock(g->mu);
  while (!g->stop) {
    lock.unlock();
    try {
      if (!store) store = connectStore(g->host, g->port, false, 0, g->timeout);
      store->add(key, 1);
    } catch (...) {
      store.reset();  // the store host may be gone; the diagnosis will say so
    }
    lock.lock();
    g->cv.wait_for(lock, kHeartbeat, [g] { return g->stop; });
  }
}

// Reads the tensor out of a box made by the main addon (same struct, same libtorch).
at::Tensor tensorArg(Napi::Env env, const Napi::Value& v, const std::string& what) {
  if (!v.IsExternal()) throwJs(env, what + ": expected a Tensor");
  auto* box = static_cast<TensorBox*>(v.As<Napi::External<void>>().Data());
  if (box == nullptr || box->magic != kTensorMagic) throwJs(env, what + ": expected a Tensor");
  if (!box->t.defined()) throwJs(env, what + ": the tensor was disposed");
  return box->t;
}

std::vector<at::Tensor> tensorList(Napi::Env env, const Napi::Value& v, const std::string& what) {
  if (!v.IsArray()) throwJs(env, what + ": expected an array of tensors");
  Napi::Array a = v.As<Napi::Array>();
  std::vector<at::Tensor> out;
  for (uint32_t i = 0; i < a.Length(); i++) out.push_back(tensorArg(env, a.Get(i), what));
  return out;
}

Group* groupArg(Napi::Env env, const Napi::Value& v, const char* what) {
  if (!v.IsExternal()) throwJs(env, std::string(what) + ": expected a process group");
  auto* g = static_cast<Group*>(v.As<Napi::External<void>>().Data());
  if (g == nullptr || g->magic != kGroupMagic) throwJs(env, std::string(what) + ": expected a process group");
  if (!g->pg) throwJs(env, std::string(what) + ": the process group was destroyed (destroyProcessGroup)");
  return g;
}

int intArg(Napi::Env env, const Napi::Object& o, const char* key, int lo, int hi) {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) throwJs(env, std::string("initProcessGroup: option '") + key + "' must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (d != static_cast<double>(static_cast<int64_t>(d)) || d < lo || d > hi)
    throwJs(env, std::string("initProcessGroup: option '") + key + "' must be an integer in [" +
                     std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return static_cast<int>(d);
}

std::string strArg(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  return v.IsString() ? v.As<Napi::String>().Utf8Value() : std::string();
}

// An AsyncWorker whose Execute runs `run` off the JS thread and settles a Promise.
class PromiseWorker : public Napi::AsyncWorker {
 public:
  PromiseWorker(Napi::Env env, std::string where, std::function<void()> run,
                std::function<Napi::Value(Napi::Env)> done)
      : Napi::AsyncWorker(env, "flambeau.distributed"),
        deferred_(Napi::Promise::Deferred::New(env)),
        where_(std::move(where)),
        run_(std::move(run)),
        done_(std::move(done)) {}
  Napi::Promise promise() { return deferred_.Promise(); }

 protected:
  void Execute() override {
    try {
      run_();
    } catch (const c10::Error& e) {
      SetError(where_ + ": " + e.what_without_backtrace());
    } catch (const std::exception& e) {
      SetError(where_ + ": " + e.what());
    } catch (...) {
      SetError(where_ + ": unknown native error");
    }
  }
  void OnOK() override {
    Napi::Env env = Env();
    deferred_.Resolve(done_ ? done_(env) : env.Undefined());
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::string where_;
  std::function<void()> run_;
  std::function<Napi::Value(Napi::Env)> done_;
};

Napi::Value queue(Napi::Env env, std::string where, std::function<void()> run,
                  std::function<Napi::Value(Napi::Env)> done = nullptr) {
  auto* w = new PromiseWorker(env, std::move(where), std::move(run), std::move(done));
  Napi::Promise p = w->promise();
  w->Queue();
  return p;
}

void finalizeGroup(node_api_basic_env, void* data, void*) { delete static_cast<Group*>(data); }

// The Gloo device: an explicit interface (GLOO_SOCKET_IFNAME, as in PyTorch), else the
// loopback when the master is local, else this host's name.
std::shared_ptr<gloo::transport::Device> makeDevice(const std::string& ifname, const std::string& master) {
  if (!ifname.empty()) return c10d::ProcessGroupGloo::createDeviceForInterface(ifname);
  const char* env = std::getenv("GLOO_SOCKET_IFNAME");
  if (env != nullptr && *env != '\0') return c10d::ProcessGroupGloo::createDeviceForInterface(env);
  if (master == "localhost" || master.rfind("127.", 0) == 0)
    return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

// initProcessGroup({rank, worldSize, masterAddr, masterPort, timeoutMs, rendezvousTimeoutMs?, ifname?}) -> Promise<group>
// The store keys follow torch.distributed.init_process_group (PrefixStore "default_pg",
// then the group name "0", then the store-based barrier), so a Python rank can join.
Napi::Value InitProcessGroup(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) throwJs(env, "initProcessGroup: expected an options object");
  Napi::Object o = info[0].As<Napi::Object>();
  auto g = std::make_shared<std::unique_ptr<Group>>(std::make_unique<Group>());
  Group& G = **g;
  G.size = intArg(env, o, "worldSize", 1, 65536);
  G.rank = intArg(env, o, "rank", 0, G.size - 1);
  G.port = intArg(env, o, "masterPort", 1, 65535);
  G.timeout = std::chrono::milliseconds(intArg(env, o, "timeoutMs", 1, 86400000));
  // Starting processes (and loading libtorch) can take longer than a collective may.
  G.rendezvousTimeout = o.Get("rendezvousTimeoutMs").IsNumber()
                            ? std::chrono::milliseconds(intArg(env, o, "rendezvousTimeoutMs", 1, 86400000))
                            : G.timeout;
  G.host = strArg(o, "masterAddr");
  if (G.host.empty()) throwJs(env, "initProcessGroup: option 'masterAddr' must be a non-empty string");
  std::string ifname = strArg(o, "ifname");
  return queue(
      env, "initProcessGroup",
      [g, ifname]() {
        Group& G = **g;
        auto tcp = connectStore(G.host, G.port, G.rank == 0, G.size, G.rendezvousTimeout);
        c10::intrusive_ptr<c10d::Store> root = c10::make_intrusive<c10d::PrefixStore>("default_pg", tcp);
        c10::intrusive_ptr<c10d::Store> store = c10::make_intrusive<c10d::PrefixStore>("0", root);
        auto opts = c10d::ProcessGroupGloo::Options::create(G.timeout);
        opts->devices.push_back(makeDevice(ifname, G.host));
        opts->threads = 2;
        G.pg = c10::make_intrusive<c10d::ProcessGroupGloo>(store, G.rank, G.size, opts);
        // torch.distributed's store-based barrier, then its sequence number agreement.
        const std::string key = "store_based_barrier_key:1";
        root->add(key, 1);
        auto start = std::chrono::steady_clock::now();
        while (root->add(key, 0) < G.size) {
          if (std::chrono::steady_clock::now() - start > G.rendezvousTimeout)
            throw std::runtime_error("timed out in the store-based barrier waiting for " + std::to_string(G.size) +
                                     " ranks (" + std::to_string(root->add(key, 0)) + " arrived)");
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        G.pg->setSequenceNumberForGroup();
        tcp->setTimeout(G.timeout);
        Group* raw = &G;
        G.beat = std::thread(heartbeatLoop, raw);
      },
      [g](Napi::Env env) -> Napi::Value {
        Group* raw = g->release();
        napi_value out;
        if (napi_create_external(env, raw, finalizeGroup, nullptr, &out) != napi_ok) {
          delete raw;
          throwJs(env, "initProcessGroup: could not create a handle");
        }
        return Napi::Value(env, out);
      });
}

c10d::ReduceOp reduceOpArg(Napi::Env env, const Napi::Value& v, const char* what) {
  std::string s = v.IsString() ? v.As<Napi::String>().Utf8Value() : "";
  if (s == "sum") return c10d::ReduceOp(c10d::ReduceOp::SUM);
  if (s == "product") return c10d::ReduceOp(c10d::ReduceOp::PRODUCT);
  if (s == "min") return c10d::ReduceOp(c10d::ReduceOp::MIN);
  if (s == "max") return c10d::ReduceOp(c10d::ReduceOp::MAX);
  throwJs(env, std::string(what) + ": op must be one of sum, product, min, max");
}

// Waits for a Work off the JS thread; Gloo's own timeout ends it if a peer is silent.
Napi::Value waitWork(Napi::Env env, const char* where, Group* g, std::function<c10::intrusive_ptr<c10d::Work>()> start) {
  auto work = guarded(env, where, start);
  auto pg = g->pg;  // keeps the group alive while the wait runs
  auto limit = g->timeout + std::chrono::milliseconds(5000);
  return queue(env, where, [work, pg, limit]() {
    if (!work->wait(limit)) throw std::runtime_error("the operation did not complete");
  });
}

// allReduce(group, tensors, op) -> Promise<void>; in place.
Napi::Value AllReduce(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Group* g = groupArg(env, info[0], "allReduce");
  auto tensors = tensorList(env, info[1], "allReduce");
  c10d::AllreduceOptions o;
  o.reduceOp = reduceOpArg(env, info[2], "allReduce");
  return waitWork(env, "allReduce", g, [&]() { return g->pg->allreduce(tensors, o); });
}

// broadcast(group, tensors, root) -> Promise<void>; in place.
Napi::Value Broadcast(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Group* g = groupArg(env, info[0], "broadcast");
  auto tensors = tensorList(env, info[1], "broadcast");
  c10d::BroadcastOptions o;
  o.rootRank = info[2].As<Napi::Number>().Int64Value();
  if (o.rootRank < 0 || o.rootRank >= g->size)
    throwJs(env, "broadcast: src " + std::to_string(o.rootRank) + " is not a rank of a group of " + std::to_string(g->size));
  return waitWork(env, "broadcast", g, [&]() { return g->pg->broadcast(tensors, o); });
}

// allGather(group, outputs, input) -> Promise<void>; outputs[r] receives rank r's input.
Napi::Value AllGather(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Group* g = groupArg(env, info[0], "allGather");
  std::vector<std::vector<at::Tensor>> outputs{tensorList(env, info[1], "allGather")};
  std::vector<at::Tensor> inputs{tensorArg(env, info[2], "allGather")};
  return waitWork(env, "allGather", g, [&]() { return g->pg->allgather(outputs, inputs); });
}

Napi::Value Barrier(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Group* g = groupArg(env, info[0], "barrier");
  return waitWork(env, "barrier", g, [&]() { return g->pg->barrier(); });
}

// deadRanks(group, probeMs) -> Promise<number[]>: the ranks whose heartbeat did not move
// during probeMs; [0] alone if the store (hosted by rank 0) cannot be reached.
Napi::Value DeadRanks(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Group* g = groupArg(env, info[0], "deadRanks");
  auto probe = std::chrono::milliseconds(info[1].As<Napi::Number>().Int64Value());
  auto dead = std::make_shared<std::vector<int>>();
  std::string host = g->host;
  int port = g->port, size = g->size, self = g->rank;
  return queue(
      env, "deadRanks",
      [=]() {
        c10::intrusive_ptr<c10d::TCPStore> store;
        try {
          store = connectStore(host, port, false, 0, probe);
        } catch (...) {
          dead->push_back(0);
          return;
        }
        auto read = [&]() {
          std::vector<int64_t> v(size);
          for (int r = 0; r < size; r++) v[r] = store->add(kHeartbeatKey + std::to_string(r), 0);
          return v;
        };
        try {
          auto before = read();
          std::this_thread::sleep_for(probe);
          auto after = read();
          for (int r = 0; r < size; r++)
            if (r != self && after[r] == before[r]) dead->push_back(r);
        } catch (...) {
          dead->clear();
          dead->push_back(0);
        }
      },
      [dead](Napi::Env env) -> Napi::Value {
        Napi::Array a = Napi::Array::New(env, dead->size());
        for (size_t i = 0; i < dead->size(); i++) a.Set(static_cast<uint32_t>(i), (*dead)[i]);
        return a;
      });
}

// destroy(group): stops the heartbeat and drops this handle's reference to the group.
Napi::Value Destroy(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Group* g = groupArg(env, info[0], "destroyProcessGroup");
  g->stopHeartbeat();
  g->pg.reset();
  return env.Undefined();
}

}  // namespace

void initDistributed(Napi::Env env, Napi::Object exports) {
  auto fn = [&](const char* name, Napi::Function::Callback cb) { exports.Set(name, Napi::Function::New(env, cb, name)); };
  fn("initProcessGroup", InitProcessGroup);
  fn("allReduce", AllReduce);
  fn("broadcast", Broadcast);
  fn("allGather", AllGather);
  fn("barrier", Barrier);
  fn("deadRanks", DeadRanks);
  fn("destroy", Destroy);
}

}  // namespace fl

// throwJs lives in flambeau.cc in the main addon; this addon has its own copy.
[[noreturn]] void fl::throwJs(Napi::Env env, const std::string& msg) { throw Napi::Error::New(env, msg); }

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
  fl::initDistributed(env, exports);
  return exports;
}
NODE_API_MODULE(flambeau_distributed, InitModule)
