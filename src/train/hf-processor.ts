// preprocessor_config.json: a model's input preprocessing in the shape Hugging Face image
// processors and feature extractors read (resize, rescale, normalize; sampling rate, mel bins),
// written beside config.json so another tool can prepare inputs the way the model was trained.
// Flambeau itself reads its own `preprocessing` block of config.json, never this file.

import type { FrontendConfig } from "../data/log-mel-config.js";

/** Images resized (sharp's Lanczos-3, PIL's resample 1) to size × size, scaled to [0, 1], normalized per channel. */
export function imageProcessorConfig(p: {
  size: number;
  channels: number;
  mean: readonly number[];
  std: readonly number[];
}): Record<string, unknown> {
  return {
    do_resize: true,
    size: { height: p.size, width: p.size },
    resample: 1,
    do_rescale: true,
    rescale_factor: 1 / 255,
    do_normalize: true,
    image_mean: [...p.mean],
    image_std: [...p.std],
    do_convert_rgb: p.channels === 3,
    num_channels: p.channels,
  };
}

/** Mono audio at sampleRate → log-mel features (nMels bins), standardized by one mean and std. */
export function audioFeatureExtractorConfig(p: FrontendConfig): Record<string, unknown> {
  return {
    sampling_rate: p.sampleRate,
    feature_size: p.nMels,
    num_mel_bins: p.nMels,
    n_fft: p.nFft,
    win_length: p.winLength,
    hop_length: p.hopLength,
    padding_value: 0,
    do_normalize: true,
    mean: p.mean,
    std: p.std,
    return_attention_mask: false,
  };
}
