// The library's version: written into saved models and printed by `flambeau --version`.
export const FLAMBEAU_VERSION = "0.1.0";
