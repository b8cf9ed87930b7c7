// Prometheus metrics in the text exposition format (GET /metrics): requests by route and
// status, their latencies, batch sizes, queue depth and the process's memory. Written here
// rather than taken from prom-client: four small metric kinds cover what the server reports.

type Labels = Record<string, string>;
const key = (l: Labels): string =>
  Object.entries(l)
    .map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`)
    .join(",");

class Counter {
  readonly #values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(l: Labels = {}, by = 1): void {
    const k = key(l);
    this.#values.set(k, (this.#values.get(k) ?? 0) + by);
  }
  render(): string[] {
    const out = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [k, v] of this.#values) out.push(`${this.name}${k ? `{${k}}` : ""} ${v}`);
    return out;
  }
}

class Gauge {
  #value = 0;
  constructor(
    readonly name: string,
    readonly help: string,
    readonly read?: () => number,
  ) {}
  set(v: number): void {
    this.#value = v;
  }
  render(): string[] {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`, `${this.name} ${this.read ? this.read() : this.#value}`];
  }
}

class Histogram {
  readonly #series = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
  ) {}
  observe(v: number, l: Labels = {}): void {
    const k = key(l);
    let s = this.#series.get(k);
    if (!s) this.#series.set(k, (s = { counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    for (const [i, b] of this.buckets.entries()) if (v <= b) s.counts[i]!++;
    s.sum += v;
    s.count++;
  }
  render(): string[] {
    const out = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [k, s] of this.#series) {
      const sep = k ? `${k},` : "";
      for (const [i, b] of this.buckets.entries()) out.push(`${this.name}_bucket{${sep}le="${b}"} ${s.counts[i]}`);
      out.push(`${this.name}_bucket{${sep}le="+Inf"} ${s.count}`);
      out.push(`${this.name}_sum${k ? `{${k}}` : ""} ${s.sum}`, `${this.name}_count${k ? `{${k}}` : ""} ${s.count}`);
    }
    return out;
  }
}

export class Metrics {
  readonly requests = new Counter("flambeau_http_requests_total", "HTTP requests answered, by route and status");
  readonly latency = new Histogram(
    "flambeau_http_request_duration_seconds",
    "time from request to response, by route",
    [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  );
  readonly predictions = new Counter("flambeau_predictions_total", "inputs predicted, by model");
  readonly batchSize = new Histogram("flambeau_batch_size", "inputs per batch sent to a worker, by model", [1, 2, 4, 8, 16, 32, 64, 128]);
  readonly queueDepth = new Gauge("flambeau_queue_depth", "inputs waiting for a worker");
  readonly reloads = new Counter("flambeau_model_reloads_total", "hot reloads of a model directory, by model and outcome");
  readonly #memory = [
    new Gauge("process_resident_memory_bytes", "resident set size", () => process.memoryUsage.rss()),
    new Gauge("nodejs_heap_used_bytes", "V8 heap in use (main thread)", () => process.memoryUsage().heapUsed),
    new Gauge("nodejs_external_memory_bytes", "memory held outside the V8 heap (buffers)", () => process.memoryUsage().external),
  ];

  constructor(readonly busyWorkers: () => number) {}

  render(): string {
    const busy = new Gauge("flambeau_busy_workers", "worker threads running a batch", this.busyWorkers);
    return `${[this.requests, this.latency, this.predictions, this.batchSize, this.queueDepth, this.reloads, busy, ...this.#memory]
      .flatMap((m) => m.render())
      .join("\n")}\n`;
  }
}
