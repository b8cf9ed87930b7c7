// Continual learning: scenarios, strategies, the runner and its report.

export { type ContinualData, loadContinualData } from "./data.js";
export { accuracyHeatmapSvg, continualReportHtml } from "./report.js";
export { type ContinualOptions, type ContinualResult, runContinual } from "./runner.js";
export {
  activeUnits,
  type ContinualMode,
  type Experience,
  type LabelledSet,
  permutedScenario,
  type Scenario,
  splitScenario,
  targetsOf,
} from "./scenario.js";
export {
  type ContinualStrategy,
  ewc,
  joint,
  lwf,
  mas,
  naive,
  replay,
  STRATEGIES,
  type StrategyContext,
  type StrategyName,
} from "./strategies.js";
