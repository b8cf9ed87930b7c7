// Faults and interop over c10d/Gloo: a dead rank, a dead store host, a PyTorch peer.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { node, PYTHON, ROOT, ranks } from "./distributed-helpers.js";

describe("distributed faults and interop (2 processes on loopback)", () => {
  it("a rank that dies makes the survivor fail within the timeout with an error naming it", async () => {
    const rs = await ranks([node("die"), node("die")]);
    assert.equal(rs[1]!.exitCode, 3);
    const r = rs[0]!;
    assert.equal(r.name, "FlambeauError");
    assert.match(String(r.error), /allReduce failed on rank 0 of 2: rank 1 stopped responding/);
    assert.ok((r.ms as number) < 5000 + 3000, `took ${r.ms} ms`);
  });

  it("when rank 0 (the store host) dies, the survivor's error names it", async () => {
    const rs = await ranks([node("die"), node("die")], { DIE_RANK: "0" });
    assert.equal(rs[0]!.exitCode, 3);
    const r = rs[1]!;
    assert.equal(r.name, "FlambeauError");
    assert.match(String(r.error), /allReduce failed on rank 1 of 2: rank 0 \(the store host 127\.0\.0\.1:\d+\) is unreachable/);
  });

  const pythonTorch = existsSync(PYTHON) ? "" : `${PYTHON} is missing`;
  it("interop: a Flambeau rank and a PyTorch rank all-reduce together", { skip: pythonTorch || false }, async () => {
    const py = { cmd: PYTHON, args: [join(ROOT, "scripts", "fixtures", "distributed_interop.py")] };
    const rs = await ranks([node("interop"), py], { GLOO_SOCKET_IFNAME: "lo" });
    for (const r of rs) {
      assert.equal(r.fatal, undefined, String(r.fatal));
      assert.deepEqual(r.sum, [3, 6, 9]);
      assert.deepEqual(r.broadcast, [3.5, -1]);
    }
  });
});
