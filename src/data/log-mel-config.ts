// The log-mel frontend's settings, below the modalities: the audio frontend computes with them
// and the train layer writes them into preprocessor_config.json, from one declaration.

/**
 * Mono waveforms at `sampleRate` → log-mels of `nMels` bands (an `nFft`-point FFT of each
 * `winLength`-sample window, one every `hopLength` samples), standardised by one mean and std.
 */
export interface FrontendConfig {
  sampleRate: number;
  nFft: number;
  winLength: number;
  hopLength: number;
  nMels: number;
  mean: number;
  std: number;
}
