// Lottery-ticket rewinding (`compress --prune … --fine-tune-epochs N --rewind DIR`): the
// unpruned weights restart from the rewind point's values, times the mask, before retraining.
// With a learning rate of 1e-9 the retraining moves nothing, so the variant's pruned layers must
// equal the rewind point's weights on the kept entries and zero elsewhere. A rewind point of
// another width, or --rewind without retraining, is an error naming the problem. The models are
// small-cnn at width 8, not the default 32: retraining rebuilds the saved net, not the default one.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import * as fl from "flambeau";
import { writeFashionImageFolder } from "../helpers/image-folder.js";

const roots: string[] = [];
after(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

test("compress --rewind restarts the unpruned weights from the rewind point, masked", async () => {
  const root = await writeFashionImageFolder({ train: 20, test: 8 });
  roots.push(root);
  const task = fl.tasks.getTask("image-classification");
  const train = (out: string, extra: Record<string, unknown>) =>
    task.train({ data: join(root, "train"), out, epochs: 1, width: 8, log: () => {}, ...extra } as Parameters<typeof task.train>[0]);
  const base = join(root, "base");
  const early = join(root, "early");
  await train(base, { seed: 0 });
  await train(early, { seed: 1 });
  const lines: string[] = [];
  const results = await fl.learn.compress.compressModelDir(task, {
    dir: base,
    out: join(root, "cmp"),
    data: join(root, "test"),
    trainData: join(root, "train"),
    prune: [0.5],
    fineTuneEpochs: 1,
    fineTuneLr: 1e-9,
    rewind: early,
    log: (s) => lines.push(s),
  });
  assert.deepEqual(
    results.map((r) => r.variant),
    ["baseline", "pruned-50-rewound"],
  );
  assert.ok(
    lines.some((l) => l.startsWith(`rewinding the unpruned weights to ${early}`)),
    lines.join("\n"),
  );
  const variant = await fl.io.load(join(results[1]!.dir, "model.safetensors"));
  const point = await fl.io.load(join(early, "model.safetensors"));
  const pruned = results[1]!.layers!.filter((l) => l.sparsity > 0);
  assert.ok(pruned.length > 0, "some layer was pruned");
  let kept = 0;
  let total = 0;
  for (const { name } of pruned) {
    const v = variant.get(name)!;
    const mask = v.ne(0);
    const diff = v.sub(point.get(name)!.mul(mask)).abs().max().item() as number;
    assert.ok(diff < 1e-5, `${name}: ${diff} from the rewind point's masked weights`);
    kept += mask.sum().item() as number;
    total += v.numel;
  }
  assert.ok(kept < total, `${kept} of ${total} weights kept`);

  const wide = join(root, "wide");
  await train(wide, { seed: 0, width: 12 });
  await assert.rejects(
    fl.learn.compress.compressModelDir(task, {
      dir: base,
      out: join(root, "bad"),
      data: join(root, "test"),
      prune: [0.5],
      fineTuneEpochs: 1,
      rewind: wide,
      log: () => {},
    }),
    /compress --rewind: ".+" is \[\d+(, \d+)*\] at the rewind point but \[\d+(, \d+)*\] in the model/,
  );
  await assert.rejects(
    fl.learn.compress.compressModelDir(task, { dir: base, out: join(root, "bad2"), data: join(root, "test"), prune: [0.5], rewind: early }),
    /--rewind needs --prune and --fine-tune-epochs > 0/,
  );
});
