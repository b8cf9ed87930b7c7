export { Parameter } from "./parameter.js";
