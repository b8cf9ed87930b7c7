// Filled in by the io layer.
export {};
