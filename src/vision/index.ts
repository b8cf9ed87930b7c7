// Vision: image I/O, data sets, augmentation, the model zoo and the image tasks.
export * from "./augment.js";
export * from "./image-data.js";
export * from "./image-folder.js";
export * from "./image-io.js";
export * from "./models/small-cnn.js";
