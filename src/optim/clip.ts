// Gradient clipping lives in nn.utils (PyTorch's nn/utils/clip_grad.py); optim re-exports it.
export { type ClipGradNormOptions, clipGradNorm_, clipGradValue_ } from "../nn/utils/clip-grad.js";
