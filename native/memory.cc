// Native memory: the counting CPU allocator (exact live bytes, the budget), the tensor handles
// JS holds (boxes and their GC finalizers), and what V8 is told about both.
//
// glibc's fastbins are turned off at load. A tensor nobody disposes is freed by V8's GC, with
// the tens of thousands of others that died since the last scavenge; freed in one batch, their
// small chunks (tensor, storage, handle) filled the fastbins, and the next large free (V8's own
// list of dead handles, once per scavenge) coalesced them all in one malloc_consolidate pass:
// about 15% of a small op's time. Without fastbins each chunk is coalesced as it is freed, and
// tcache still serves the hot path; measured, a small op costs 10-15% less CPU.
#include <c10/core/CPUAllocator.h>

#include <malloc.h>

#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <mutex>
#include <vector>

#include "common.h"

namespace fl {

std::atomic<int64_t> g_liveTensors{0};

// ---------------------------------------------------------------- allocator
// Wraps libtorch's CPU allocator to count live bytes exactly and to refuse requests
// past a budget with a catchable error instead of an OOM kill.
static std::atomic<int64_t> g_allocBytes{0};
static std::atomic<int64_t> g_peakBytes{0};
// The peak that resetPeakBytes() leaves alone: the large-block cache's bound (keepCached).
static std::atomic<int64_t> g_highWaterBytes{0};
static std::atomic<int64_t> g_budget{0};  // 0: no budget
// Per thread, as V8 keeps the count per isolate: each isolate (main, each worker) is told the
// changes since its own first report, not the bytes other threads held before it started.
constexpr int64_t kNotReported = std::numeric_limits<int64_t>::min();
static thread_local int64_t g_reportedBytes = kNotReported;

// Blocks come from malloc, aligned by hand to the 64 bytes libtorch's kernels expect, with
// three words below the data: the block's capacity when it is a cached large block (else 0),
// the address malloc returned, and the size asked for. posix_memalign, which c10's allocator
// calls, bypasses glibc's per-thread cache and splits a chunk on every call: a tenth of a small
// op's time. The DataPtr's context is the data pointer itself: oneDNN's scratchpad allocates
// through raw_allocate(), which requires context == data.
constexpr size_t kAlign = 64;
constexpr size_t kWords = 3;
constexpr size_t kHeader = kAlign + kWords * sizeof(size_t);  // the words, plus the most alignment can skip

// ---------------------------------------------------------------- large-block cache
// glibc hands a block of 32 MiB or more straight to mmap and back to the kernel on free, and
// trims the top of its heap once free space there passes twice the (adaptive) mmap threshold:
// every op of a [512, 64, 200] training step then faults its output's pages in afresh, the
// kernel zeroing each one. Measured on a RotatE step (2 cores): 424 ms, of which 477 ms of CPU
// in the kernel against 325 in user space. Large blocks (1 MiB and up) are therefore kept when
// freed and handed to the next request of about the same size, as PyTorch's CUDA caching
// allocator does for device memory. The cache holds at most a quarter of the memory budget
// (2 GiB without one; FLAMBEAU_CPU_CACHE_MB sets it, 0 turns it off), dropping the oldest
// block first; it is emptied when live bytes and cache together would pass the budget, before
// a failed malloc is retried, and by emptyCache().
constexpr size_t kLargeMin = size_t{1} << 20;
constexpr size_t kGranule = size_t{1} << 16;  // capacities are multiples of 64 KiB

struct CachedBlock {
  void* raw;
  uint64_t age;
};

static std::mutex g_cacheMutex;
static std::multimap<size_t, CachedBlock> g_cache;  // capacity → block
static std::atomic<size_t> g_cachedBytes{0};
static uint64_t g_cacheClock = 0;
static std::atomic<size_t> g_cacheLimit{size_t{2048} << 20};
static bool g_cacheLimitFromEnv = false;

static void dropOldestLocked() {
  auto oldest = g_cache.begin();
  for (auto it = g_cache.begin(); it != g_cache.end(); ++it)
    if (it->second.age < oldest->second.age) oldest = it;
  g_cachedBytes -= oldest->first;
  std::free(oldest->second.raw);
  g_cache.erase(oldest);
}

// A cached block whose capacity is `capacity` to at most an eighth more, or nullptr.
static void* takeCached(size_t capacity) {
  std::lock_guard<std::mutex> lock(g_cacheMutex);
  auto it = g_cache.lower_bound(capacity);
  if (it == g_cache.end() || it->first > capacity + capacity / 8) return nullptr;
  void* raw = it->second.raw;
  g_cachedBytes -= it->first;
  g_cache.erase(it);
  return raw;
}

// Live and cached bytes together are also kept under the peak of live bytes (plus a slack of
// 64 MiB): a program never needs more than its peak at once, so cache beyond it is memory no
// request can use. Without this bound a loop whose shapes vary from batch to batch (a chat
// model's prompts of 60 to 320 tokens) filled the cache with blocks of every size up to its
// limit, a quarter of the budget: 9.4 GB resident for a model whose steps peak near 1 GB.
constexpr int64_t kPeakSlack = int64_t{64} << 20;

static bool overLimitLocked(size_t capacity) {
  const int64_t held = g_allocBytes.load() + static_cast<int64_t>(g_cachedBytes + capacity);
  return g_cachedBytes + capacity > g_cacheLimit || held > g_highWaterBytes.load() + kPeakSlack;
}

// Keeps a freed large block, or frees it when it alone would pass the limits.
static void keepCached(void* raw, size_t capacity) {
  std::lock_guard<std::mutex> lock(g_cacheMutex);
  if (capacity > g_cacheLimit) {
    std::free(raw);
    return;
  }
  while (!g_cache.empty() && overLimitLocked(capacity)) dropOldestLocked();
  if (overLimitLocked(capacity)) {
    std::free(raw);
    return;
  }
  g_cache.emplace(capacity, CachedBlock{raw, ++g_cacheClock});
  g_cachedBytes += capacity;
}

void emptyCache() {
  std::lock_guard<std::mutex> lock(g_cacheMutex);
  while (!g_cache.empty()) dropOldestLocked();
}

int64_t cachedBytes() {
  return static_cast<int64_t>(g_cachedBytes.load());
}

static void deleteCounted(void* p) {
  if (p == nullptr) return;
  auto* words = static_cast<size_t*>(p);
  g_allocBytes -= static_cast<int64_t>(words[-1]);
  void* raw = reinterpret_cast<void*>(words[-2]);
  if (words[-3] != 0)
    keepCached(raw, words[-3]);
  else
    std::free(raw);
}

struct CountingAllocator final : public c10::Allocator {
  c10::DataPtr allocate(size_t n) const override {
    // n + kHeader must not wrap, and n must not turn negative as an int64_t, or a huge
    // request would slip past the budget check and allocate a tiny block.
    constexpr size_t kMaxRequest = static_cast<size_t>(std::numeric_limits<int64_t>::max()) - kHeader;
    int64_t budget = g_budget.load();
    int64_t inUse = g_allocBytes.load();
    TORCH_CHECK(n <= kMaxRequest, "allocation of ", n, " bytes exceeds any memory budget");
    if (budget > 0 && static_cast<int64_t>(n) > budget - inUse - cachedBytes()) emptyCache();
    if (budget > 0 && static_cast<int64_t>(n) > budget - inUse) {
      TORCH_CHECK(false, "allocation of ", n, " bytes (", static_cast<double>(n) / (1 << 30),
                  " GiB) would exceed the memory budget of ", budget, " bytes (", inUse,
                  " in use); raise it with setMemoryBudget() or FLAMBEAU_MEMORY_BUDGET");
    }
    const bool large = n >= kLargeMin && g_cacheLimit > 0;
    const size_t capacity = large ? (n + kHeader + kGranule - 1) / kGranule * kGranule : n + kHeader;
    void* raw = large ? takeCached(capacity) : nullptr;
    if (raw == nullptr) raw = std::malloc(capacity);
    if (raw == nullptr && cachedBytes() > 0) {
      emptyCache();
      raw = std::malloc(capacity);
    }
    // The words c10's own allocator uses, which the TypeScript layer maps to E_MEMORY.
    TORCH_CHECK(raw != nullptr, "DefaultCPUAllocator: can't allocate memory: you tried to allocate ", n, " bytes");
    uintptr_t at = (reinterpret_cast<uintptr_t>(raw) + kWords * sizeof(size_t) + kAlign - 1) & ~(kAlign - 1);
    auto* words = reinterpret_cast<size_t*>(at);
    words[-3] = large ? capacity : 0;
    words[-2] = reinterpret_cast<uintptr_t>(raw);
    words[-1] = n;
    void* data = words;
    int64_t now = (g_allocBytes += static_cast<int64_t>(n));
    int64_t peak = g_peakBytes.load();
    while (now > peak && !g_peakBytes.compare_exchange_weak(peak, now)) {
    }
    int64_t high = g_highWaterBytes.load();
    while (now > high && !g_highWaterBytes.compare_exchange_weak(high, now)) {
    }
    return {data, data, &deleteCounted, c10::Device(c10::DeviceType::CPU)};
  }
  c10::DeleterFnPtr raw_deleter() const override { return &deleteCounted; }
};

static CountingAllocator g_allocator;

void installAllocator() {
  if (const char* mb = std::getenv("FLAMBEAU_CPU_CACHE_MB")) {
    char* end = nullptr;
    long long v = std::strtoll(mb, &end, 10);
    if (end != mb && *end == '\0' && v >= 0) {
      g_cacheLimit = static_cast<size_t>(v) << 20;
      g_cacheLimitFromEnv = true;
    }
  }
  c10::SetCPUAllocator(&g_allocator, /*priority=*/100);
#ifdef __GLIBC__
  // No fastbins (FLAMBEAU_MALLOC_FASTBINS=1 keeps glibc's default): see the top of this file.
  const char* fast = std::getenv("FLAMBEAU_MALLOC_FASTBINS");
  if (fast == nullptr || std::strcmp(fast, "1") != 0) mallopt(M_MXFAST, 0);
#endif
}

// V8 is told the native memory that stays, not the peaks inside a computation: the lowest live
// count seen over a window of handle creations. Reporting every peak (a batch-256 CNN forward
// holds ~85 MB of activations until its tidy scope ends) made V8 start incremental marking and
// weak-callback passes about every other forward, a third of the forward's time; memory that
// JS drops without dispose() is the prompt collector's job (src/core/collector.ts), which reads
// the counters itself. A real rise still reaches V8 within one window.
constexpr int kReportWindow = 256;
static thread_local int64_t g_windowMin = std::numeric_limits<int64_t>::max();
static thread_local int g_windowLeft = kReportWindow;

void syncExternalMemory(Napi::Env env) {
  int64_t now = g_allocBytes.load();
  if (g_reportedBytes == kNotReported) g_reportedBytes = now;
  if (now < g_windowMin) g_windowMin = now;
  if (--g_windowLeft > 0) return;
  g_windowLeft = kReportWindow;
  int64_t floor = g_windowMin;
  g_windowMin = std::numeric_limits<int64_t>::max();
  int64_t delta = floor - g_reportedBytes;
  if (delta > (1 << 20) || delta < -(1 << 20)) {
    int64_t ignored;
    napi_adjust_external_memory(env, delta, &ignored);
    g_reportedBytes = floor;
  }
}

// ---------------------------------------------------------------- tensor boxes
// Boxes are recycled per thread (a finalizer runs on the thread whose environment made the
// box): a scavenge finalizes tens of thousands at once and the next ops make as many again.
namespace {
struct BoxPool {
  static constexpr size_t kMax = 1 << 16;
  std::vector<TensorBox*> free;
  ~BoxPool() {
    for (TensorBox* b : free) delete b;
  }
};
thread_local BoxPool t_boxes;
}  // namespace

static void finalizeTensor(node_api_basic_env, void* data, void*) {
  auto* box = static_cast<TensorBox*>(data);
  if (box->t.defined()) {
    g_liveTensors--;
    box->t.reset();
  }
  if (t_boxes.free.size() < BoxPool::kMax)
    t_boxes.free.push_back(box);
  else
    delete box;
}

Napi::Value wrapTensor(Napi::Env env, at::Tensor t) {
  if (!t.defined()) return env.Null();
  TensorBox* box;
  if (!t_boxes.free.empty()) {
    box = t_boxes.free.back();
    t_boxes.free.pop_back();
  } else {
    box = new TensorBox();
  }
  box->t = std::move(t);
  g_liveTensors++;
  napi_value out;
  napi_status s = napi_create_external(env, box, finalizeTensor, nullptr, &out);
  if (s != napi_ok) {
    box->t.reset();
    delete box;
    g_liveTensors--;
    throwJs(env, "flambeau: could not create a tensor handle");
  }
  syncExternalMemory(env);
  return Napi::Value(env, out);
}

// ---------------------------------------------------------------- counters
int64_t allocatedBytes() { return g_allocBytes.load(); }
int64_t peakBytes() { return g_peakBytes.load(); }
int64_t memoryBudget() { return g_budget.load(); }
void setMemoryBudget(int64_t bytes) {
  g_budget = bytes;
  if (!g_cacheLimitFromEnv) g_cacheLimit = bytes > 0 ? static_cast<size_t>(bytes / 4) : size_t{2048} << 20;
}
void resetPeakBytes() { g_peakBytes = g_allocBytes.load(); }

}  // namespace fl
