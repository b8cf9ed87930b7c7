// Spectral normalisation (PyTorch's nn.utils.spectral_norm): weight = W / σ(W), σ estimated
// by power iteration on the weight reshaped to a matrix; the iteration vectors are the
// buffers `<name>_u`, `<name>_v` and advance once per forward in training mode.
import { noGrad } from "../../core/autograd.js";
import { argError } from "../../core/errors.js";
import { tidy } from "../../core/memory.js";
import { empty } from "../../core/ops/creation.js";
import type { Tensor } from "../../core/tensor.js";
import { ConvTranspose1d, ConvTranspose2d, ConvTranspose3d } from "../conv.js";
import { normalize } from "../functional-norm.js";
import type { Module } from "../module.js";
import { install, parameterProperty, setComputed, uninstall } from "./reparam.js";

export interface SpectralNormOptions {
  /** The parameter to normalise (default "weight"). */
  name?: string;
  /** Power iterations per forward in training mode (default 1). */
  nPowerIterations?: number;
  /** Lower bound of the norms when normalising the vectors (default 1e-12). */
  eps?: number;
  /** The output dimension (default 0; 1 for ConvTranspose layers). */
  dim?: number;
}

interface Config {
  name: string;
  nPowerIterations: number;
  eps: number;
  dim: number;
}

const configs = new WeakMap<Module, Map<string, Config>>();

function toMatrix(w: Tensor, dim: number): Tensor {
  let m = w;
  if (dim !== 0) m = m.permute([dim, ...[...w.shape.keys()].filter((d) => d !== dim)]);
  return m.reshape([m.shape[0]!, -1]);
}

function compute(m: Module, c: Config, powerIteration: boolean): Tensor {
  const weight = m.getParameter(`${c.name}_orig`)!;
  let u = m.getBuffer(`${c.name}_u`)!;
  let v = m.getBuffer(`${c.name}_v`)!;
  const mat = toMatrix(weight, c.dim);
  if (powerIteration) {
    noGrad(() =>
      tidy(() => {
        for (let i = 0; i < c.nPowerIterations; i++) {
          v.copy_(normalize(mat.t().matmul(u), { dim: 0, eps: c.eps }));
          u.copy_(normalize(mat.matmul(v), { dim: 0, eps: c.eps }));
        }
      }),
    );
    // PyTorch clones them so that the graph below keeps this iteration's values.
    if (c.nPowerIterations > 0) {
      u = u.clone();
      v = v.clone();
    }
  }
  const sigma = u.dot(mat.matmul(v));
  return weight.div(sigma);
}

/** Re-parametrises module[name] as W / σ(W) (the parameter becomes `<name>_orig`). Returns the module. */
export function spectralNorm<M extends Module>(module: M, options: SpectralNormOptions = {}): M {
  const op = "spectralNorm";
  const name = options.name ?? "weight";
  const w = parameterProperty(op, module, name);
  const isTransposed = module instanceof ConvTranspose1d || module instanceof ConvTranspose2d || module instanceof ConvTranspose3d;
  const c: Config = {
    name,
    nPowerIterations: options.nPowerIterations ?? 1,
    eps: options.eps ?? 1e-12,
    dim: options.dim ?? (isTransposed ? 1 : 0),
  };
  if (!Number.isInteger(c.nPowerIterations) || c.nPowerIterations < 0)
    argError(op, `nPowerIterations must be an integer ≥ 0, got ${c.nPowerIterations}`);
  if (!(c.eps > 0)) argError(op, `eps must be > 0, got ${c.eps}`);
  if (!Number.isInteger(c.dim) || c.dim < 0 || c.dim >= w.ndim) argError(op, `dim must be in [0, ${w.ndim - 1}], got ${c.dim}`);
  const [u, v] = noGrad(() =>
    tidy(() => {
      const mat = toMatrix(w, c.dim);
      const [h, wd] = mat.shape as [number, number];
      return [
        normalize(empty([h], { dtype: w.dtype }).normal_(0, 1), { dim: 0, eps: c.eps }),
        normalize(empty([wd], { dtype: w.dtype }).normal_(0, 1), { dim: 0, eps: c.eps }),
      ];
    }),
  );
  module.registerParameter(`${name}_orig`, w);
  setComputed(module, name, w.detach());
  module.registerBuffer(`${name}_u`, u!);
  module.registerBuffer(`${name}_v`, v!);
  install(module, name, "spectralNorm", (m) => compute(m, c, m.training));
  if (!configs.has(module)) configs.set(module, new Map());
  configs.get(module)!.set(name, c);
  return module;
}

/** Undoes spectralNorm: module[name] becomes a parameter holding the current W / σ(W). */
export function removeSpectralNorm<M extends Module>(module: M, name = "weight"): M {
  const c = configs.get(module)?.get(name);
  if (c === undefined) argError("removeSpectralNorm", `spectralNorm of "${name}" not found in ${module.constructor.name}`);
  const w = noGrad(() => tidy(() => compute(module, c, false)));
  uninstall("removeSpectralNorm", module, name, "spectralNorm", w);
  for (const k of [`${name}_orig`, `${name}_u`, `${name}_v`]) module.unregister(k);
  configs.get(module)!.delete(name);
  w.dispose();
  return module;
}
