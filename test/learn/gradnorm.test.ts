// GradNorm (Chen et al. 2018) on a two-task case small enough to follow by hand: linear
// losses on a shared θ, so each task's gradient on the shared layer is a known constant.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";

const { multitask } = fl.learn;
const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-5, `${what}: ${a} vs ${b}`);

test("GradNorm: two update steps of the paper's rule, by hand", () => {
  const theta = new fl.nn.Parameter(fl.tensor([1, 2]));
  const g = new multitask.GradNorm(["a", "b"], () => [theta], { alpha: 1.5, lr: 0.1 });
  // L_a = θ·(3, 0) (‖∇L_a‖ = 3), L_b = θ·(0, 0.5) (‖∇L_b‖ = 0.5).
  const losses = () => ({ a: theta.mul(fl.tensor([3, 0])).sum(), b: theta.mul(fl.tensor([0, 0.5])).sum() });

  // Step 1: w = (1, 1), losses (3, 1) are the initial ones, so r = (1, 1); G = (3, 0.5),
  // Ḡ = 1.75 is both targets. w_a −= 0.1·3, w_b += 0.1·0.5 → (0.7, 1.05), renormalised to
  // sum 2 → (0.8, 1.2). The returned loss used w = (1, 1).
  const l1 = g.combine(losses());
  close(l1.item(), 4, "step 1 loss");
  l1.backward();
  assert.deepEqual(theta.grad!.toArray(), [3, 0.5]);
  close(g.weights().a!, 0.8, "w_a after step 1");
  close(g.weights().b!, 1.2, "w_b after step 1");

  // Step 2 at θ = (0.5, 2): losses (1.5, 1), ratios to the initial (0.5, 1), r = (2/3, 4/3).
  // G = (0.8·3, 1.2·0.5) = (2.4, 0.6), Ḡ = 1.5; targets 1.5·(2/3)^1.5 = 0.8165 and
  // 1.5·(4/3)^1.5 = 2.3094. Task a trains faster and has the larger gradient: its weight
  // falls (0.8 − 0.3 = 0.5), b's rises (1.2 + 0.05 = 1.25); renormalised (0.5714, 1.4286).
  theta.grad = null;
  fl.noGrad(() => theta.copy_(fl.tensor([0.5, 2])));
  const l2 = g.combine(losses());
  close(l2.item(), 0.8 * 1.5 + 1.2 * 1, "step 2 loss");
  l2.backward();
  const grad = theta.grad!.toArray() as number[];
  close(grad[0]!, 2.4, "dθ0");
  close(grad[1]!, 0.6, "dθ1");
  close(g.weights().a!, 1 / 1.75, "w_a after step 2");
  close(g.weights().b!, 2.5 / 1.75, "w_b after step 2");
});

test("GradNorm: balanced tasks keep equal weights; bad inputs are clear errors", () => {
  const theta = new fl.nn.Parameter(fl.tensor([1, 1]));
  const g = new multitask.GradNorm(["a", "b"], () => [theta]);
  for (let i = 0; i < 3; i++) g.combine({ a: theta.mul(fl.tensor([2, 0])).sum(), b: theta.mul(fl.tensor([0, 2])).sum() });
  close(g.weights().a!, 1, "w_a");
  close(g.weights().b!, 1, "w_b");
  assert.throws(() => g.combine({ c: theta.sum() }), /unknown task "c"/);
  assert.throws(() => g.combine({ a: theta.sum().mul(0) }), /task "a" has loss 0/);
  assert.throws(() => new multitask.GradNorm(["a"], () => [theta], { alpha: -1 }), /alpha must be ≥ 0/);
  assert.throws(() => new multitask.GradNorm([], () => [theta]), /at least one task/);
  const frozen = fl.tensor([1, 1]);
  assert.throws(() => new multitask.GradNorm(["a"], () => [frozen]).combine({ a: frozen.sum() }), /no trainable parameters/);
});
