// graph-regression: the molecule task with numeric targets (RMSE, MAE, R²); shares
// graph-classification's implementation.
export { graphRegression } from "./graph-classification.js";
