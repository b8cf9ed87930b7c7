// Filled in by the train layer.
export {};
