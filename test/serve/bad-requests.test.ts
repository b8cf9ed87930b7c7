// The bad-request suite: every malformed body, wrong type, oversize upload, decompression
// bomb, path, missing or wrong token, wrong Host or Origin gets the right 4xx and a message
// saying what to send; the server stays up, and nothing on its disk comes back.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { request } from "node:http";
import { after, before, test } from "node:test";
import sharp from "sharp";
import { encodeWav } from "../../src/audio/wav.js";
import { type RunningServer, serve } from "../../src/serve/index.js";
import { type ImageModel, trainImageModel } from "./fixture.js";

const TOKEN = "test-token-0123456789abcdef";
let m: ImageModel;
let server: RunningServer;
let url = "";
const seen: string[] = [];

before(async () => {
  m = await trainImageModel();
  server = await serve(`img=${m.model}`, {
    port: 0,
    tokens: ["another-token-abcdefghijklmnop", TOKEN],
    limits: { bodyBytes: 512 << 10, uploadBytes: 128 << 10, imagePixels: 1 << 20, inputs: 8 },
    workers: 1,
  });
  url = `${server.url}/v1/models/img/predict`;
});

after(async () => {
  await server?.close();
  if (m) rmSync(m.root, { recursive: true, force: true });
});

const auth = { authorization: `Bearer ${TOKEN}` };
const json = { "content-type": "application/json", ...auth };

async function expect(r: Response | Promise<Response>, status: number, message: RegExp, code?: string): Promise<void> {
  const res = await r;
  const text = await res.text();
  seen.push(text);
  assert.equal(res.status, status, text);
  const body = JSON.parse(text) as { error: string; code: string; requestId: string };
  assert.match(body.error, message);
  if (code) assert.equal(body.code, code);
  assert.equal(res.headers.get("x-request-id"), body.requestId);
}

const post = (body: string | FormData | Uint8Array, headers: Record<string, string> = json) =>
  fetch(url, { method: "POST", body, headers });
const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64");

test("auth: a missing, malformed or unknown bearer token is a 401 with a challenge", async () => {
  const ok = JSON.stringify({ inputs: [{ base64: b64(m.png) }] });
  const none = await post(ok, { "content-type": "application/json" });
  assert.equal(none.headers.get("www-authenticate"), 'Bearer realm="flambeau"');
  await expect(none, 401, /missing Authorization: Bearer <token>/, "unauthorized");
  await expect(post(ok, { "content-type": "application/json", authorization: `Basic ${TOKEN}` }), 401, /must be: Bearer <token>/);
  await expect(post(ok, { "content-type": "application/json", authorization: `Bearer ${TOKEN}x` }), 401, /unknown bearer token/);
  await expect(fetch(`${server.url}/metrics`), 401, /missing Authorization/);
  // The operations endpoints a load balancer polls need no token.
  assert.equal((await fetch(`${server.url}/health`)).status, 200);
  assert.equal((await fetch(`${server.url}/ready`)).status, 200);
  assert.equal((await post(ok)).status, 200);
});

test("malformed JSON, deep JSON, wrong shapes and options are 400s naming the problem", async () => {
  await expect(post('{"inputs": ['), 400, /malformed JSON/, "bad_request");
  await expect(post("[".repeat(400_000)), 400, /nested deeper than 16 levels/);
  await expect(post(`${'{"a":'.repeat(100)}1${"}".repeat(100)}`), 400, /nested deeper/);
  await expect(post("[1, 2]"), 400, /expected a JSON object/);
  await expect(post('"inputs"'), 400, /expected a JSON object/);
  await expect(post("{}"), 400, /"inputs" must be a non-empty array/);
  await expect(post('{"inputs": []}'), 400, /"inputs" must be a non-empty array/);
  await expect(post('{"inputs": {"base64": "x"}}'), 400, /"inputs" must be a non-empty array/);
  const one = { base64: b64(m.png) };
  await expect(post(JSON.stringify({ inputs: Array(9).fill(one) })), 413, /at most 8 inputs per request, got 9/);
  await expect(post(JSON.stringify({ inputs: [one], top_k: 2 })), 400, /unknown field\(s\) top_k; fields: inputs, stream, topK/);
  await expect(post(JSON.stringify({ inputs: [one], topK: 0 })), 400, /topK/);
  await expect(post(JSON.stringify({ inputs: [one], topK: "2" })), 400, /topK must be int/);
  await expect(post(JSON.stringify({ inputs: [one], stream: "yes" })), 400, /"stream" must be true or false/);
  await expect(post('{"inputs": [{"base64": "x"}], "__proto__": {"polluted": 1}}'), 400, /unknown field\(s\) __proto__/);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  await expect(post(JSON.stringify({ inputs: [{ base64: b64(m.png), path: "/etc/passwd" }] })), 400, /must be \{"base64": string/);
  await expect(post(JSON.stringify({ inputs: [42] })), 400, /inputs\[0\]: this image model takes bytes/);
});

test("paths are never read: absolute, relative, ../ and file: URLs are refused as strings", async () => {
  for (const p of [
    "/etc/passwd",
    "../../../../etc/passwd",
    "..\\..\\windows\\win.ini",
    m.file,
    `${m.model}/config.json`,
    "file:///etc/passwd",
  ])
    await expect(post(JSON.stringify({ inputs: [p] })), 400, /is a string; this image model takes bytes.*never reads a path/);
  // Not through multipart text fields either, nor through a file name.
  const form = new FormData();
  form.append("inputs", "../../etc/passwd");
  await expect(post(form, auth), 400, /inputs\[0\] is a text field; this image model takes bytes/);
  const named = new FormData();
  named.append("inputs", new Blob([m.png], { type: "image/png" }), "../../../etc/passwd");
  const r = await post(named, auth);
  assert.equal(r.status, 200);
  assert.doesNotMatch(await r.text(), /root:|flambeau-serve-/);
  // Output-file options a task has on the command line (draw, out) are not fields.
  await expect(post(JSON.stringify({ inputs: [{ base64: b64(m.png) }], out: "/tmp/x" })), 400, /unknown field\(s\) out/);
});

test("bytes: not base64, not an image, a claimed type that lies, empty or too large", async () => {
  await expect(post(JSON.stringify({ inputs: [{ base64: "not base64!" }] })), 400, /inputs\[0\] is not base64/);
  await expect(
    post(JSON.stringify({ inputs: [{ base64: b64(Buffer.from("hello, world")) }] })),
    415,
    /not a known file type/,
    "unsupported_media_type",
  );
  const wav = encodeWav([new Float32Array(800)], 8000);
  await expect(post(JSON.stringify({ inputs: [{ base64: b64(wav) }] })), 415, /is audio\/wav; this image model takes image\/png/);
  await expect(
    post(JSON.stringify({ inputs: [`data:image/jpeg;base64,${b64(m.png)}`] })),
    415,
    /sent as image\/jpeg but its bytes are image\/png/,
  );
  await expect(post(JSON.stringify({ inputs: [`data:text/html;base64,${b64(m.png)}`] })), 415, /is text\/html; this image model takes/);
  await expect(post(JSON.stringify({ inputs: [{ base64: "" }] })), 400, /is empty \(0 bytes\)/);
  const big = Buffer.alloc(200 << 10);
  await expect(post(JSON.stringify({ inputs: [{ base64: b64(big) }] })), 413, /uploads are at most 131072/, "payload_too_large");
  // A PNG header with garbage after it reaches the decoder, which refuses it: a 400 naming the client's name for it.
  const broken = Buffer.concat([m.png.subarray(0, 33), Buffer.alloc(64, 7)]);
  await expect(post(JSON.stringify({ inputs: [{ base64: b64(broken), name: "broken.png" }] })), 400, /broken\.png/, "bad_input");
  assert.doesNotMatch(seen.at(-1)!, /flambeau-serve-/);
});

test("decompression bombs are refused from their headers", async () => {
  // 6000 × 6000 of black compresses to ~36 kB as a gray PNG (36 M pixels, over the 1 M limit).
  const png = await sharp({ create: { width: 6000, height: 6000, channels: 3, background: "#000" } })
    .toColourspace("b-w")
    .png({ compressionLevel: 9 })
    .toBuffer();
  assert.ok(png.length < 128 << 10, `${png.length}`);
  await expect(
    post(JSON.stringify({ inputs: [{ base64: b64(png) }] })),
    413,
    /decodes to 6000 × 6000 = 36000000 pixels; the limit is 1048576/,
    "image_too_large",
  );
  // A PNG whose header claims 60,000 × 60,000 with no pixel data.
  const liar = Buffer.from(m.png);
  liar.writeUInt32BE(60_000, 16);
  liar.writeUInt32BE(60_000, 20);
  await expect(post(JSON.stringify({ inputs: [{ base64: b64(liar) }] })), 413, /60000 × 60000/);
  const jpeg = await sharp({ create: { width: 3000, height: 3000, channels: 3, background: "#000" } })
    .jpeg({ quality: 10 })
    .toBuffer();
  await expect(post(JSON.stringify({ inputs: [{ base64: b64(jpeg) }] })), 413, /3000 × 3000/);
  const gif = await sharp({ create: { width: 2000, height: 2000, channels: 3, background: "#000" } })
    .gif()
    .toBuffer();
  if (gif.length < 128 << 10) await expect(post(JSON.stringify({ inputs: [{ base64: b64(gif) }] })), 413, /2000 × 2000/);
});

test("multipart: wrong claimed type, misplaced file, too many or too large files, bad fields", async () => {
  const form = (fill: (f: FormData) => void) => {
    const f = new FormData();
    fill(f);
    return f;
  };
  await expect(
    post(
      form((f) => f.append("inputs", new Blob([m.png], { type: "text/plain" }), "a.png")),
      auth,
    ),
    415,
    /a\.png is text\/plain/,
  );
  await expect(
    post(
      form((f) => f.append("image", new Blob([m.png], { type: "image/png" }), "a.png")),
      auth,
    ),
    400,
    /files go in the field "inputs"/,
  );
  await expect(
    post(
      form((f) => f.append("inputs", new Blob([Buffer.alloc(200 << 10, 1)], { type: "image/png" }), "big.png")),
      auth,
    ),
    413,
    /over the limit/,
  );
  await expect(
    post(
      form((f) => {
        for (let i = 0; i < 9; i++) f.append("inputs", new Blob([m.png], { type: "image/png" }), `${i}.png`);
      }),
      auth,
    ),
    413,
    /at most 8 inputs|too many/,
  );
  await expect(
    post(
      form((f) => {
        f.append("inputs", new Blob([m.png], { type: "image/png" }), "a.png");
        f.append("topK", "zero");
      }),
      auth,
    ),
    400,
    /topK must be a positive integer/,
  );
  await expect(
    post(
      form((f) => {
        f.append("inputs", new Blob([m.png], { type: "image/png" }), "a.png");
        f.append("draw", "/tmp/x.png");
      }),
      auth,
    ),
    400,
    /unknown field\(s\) draw/,
  );
  await expect(
    post(
      form((f) => f.append("topK", "2")),
      auth,
    ),
    400,
    /no "inputs" in the form/,
  );
  await expect(post("--x\r\nnonsense", { ...auth, "content-type": "multipart/form-data; boundary=x" }), 400, /./);
});

test("content types other than JSON and multipart are 415; over-limit bodies are 413, readable", async () => {
  await expect(
    post("inputs=x", { ...auth, "content-type": "application/x-www-form-urlencoded" }),
    415,
    /application\/json or multipart\/form-data/,
  );
  await expect(post('{"inputs": ["x"]}', { ...auth, "content-type": "text/plain" }), 415, /application\/json or multipart/);
  await expect(post(new Uint8Array(10), { ...auth }), 415, /application\/json or multipart/);
  // Content-Length over the limit: the 413 arrives before the body is read.
  await expect(post(`{"inputs": ["${"x".repeat(600 << 10)}"]}`), 413, /over the limit|the limit is 524288/, "payload_too_large");
  // A chunked body (no Content-Length) that runs past the limit.
  const chunked = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const u = new URL(url);
    const req = request(
      { host: u.hostname, port: u.port, path: u.pathname, method: "POST", headers: { ...json, "transfer-encoding": "chunked" } },
      (res) => {
        let body = "";
        res.on("data", (d: Buffer) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    const piece = "x".repeat(64 << 10);
    req.write('{"inputs": ["');
    for (let i = 0; i < 12; i++) req.write(piece);
    req.end('"]}');
  });
  assert.equal(chunked.status, 413, chunked.body);
  assert.match(chunked.body, /over the limit of 524288 bytes/);
});

test("Host and Origin: DNS-rebinding names and web pages are refused; unknown routes are 404", async () => {
  const raw = (path: string, headers: Record<string, string>, method = "POST", body = "{}") =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const u = new URL(server.url);
      const req = request({ host: u.hostname, port: u.port, path, method, headers }, (res) => {
        let text = "";
        res.on("data", (d: Buffer) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on("error", reject);
      req.end(body);
    });
  const evil = await raw("/v1/models/img/predict", { ...json, host: "evil.example:80" });
  assert.equal(evil.status, 421);
  assert.match((JSON.parse(evil.body) as { error: string }).error, /does not answer to Host "evil.example:80"/);
  assert.equal((await raw("/health", { host: "localhost:1" }, "GET", "")).status, 200);
  await expect(
    post(JSON.stringify({ inputs: [{ base64: b64(m.png) }] }), { ...json, origin: "https://evil.example" }),
    403,
    /web pages .* are refused; CORS is off/,
  );
  const form = await raw("/v1/models/img/predict", { ...auth, "content-type": "multipart/form-data; boundary=x", origin: "null" });
  assert.equal(form.status, 403);
  for (const path of [
    "/v1/models/nope/predict",
    "/../../etc/passwd",
    "/v1/models/img/..%2f..%2fconfig.json",
    `/v1/models/${encodeURIComponent(m.model)}/predict`,
  ]) {
    const r = await raw(path, json);
    assert.equal(r.status, 404, `${path}: ${r.body}`);
    assert.match(r.body, /no route POST/);
    assert.doesNotMatch(r.body, /root:|"labels"/);
  }
  await expect(fetch(url, { headers: auth }), 404, /no route GET \/v1\/models\/img\/predict/);
});

test("after all that the server is up, answers, and no answer carried a file's contents", async () => {
  const r = await post(JSON.stringify({ inputs: [{ base64: b64(m.png), name: "bag.png" }], topK: 1 }));
  assert.equal(r.status, 200);
  const out = (await r.json()) as { predictions: { labels: { label: string }[] }[] };
  assert.equal(out.predictions[0]!.labels.length, 1);
  for (const text of seen) assert.doesNotMatch(text, /root:x:0|"architecture"|flambeau-serve-/);
  const metrics = await (await fetch(`${server.url}/metrics`, { headers: auth })).text();
  assert.match(metrics, /flambeau_http_requests_total\{route="\/v1\/models\/img\/predict",method="POST",status="413"\} \d+/);
});
