// Filled in by the data layer.
export {};
