/** Tabletop exercises: scenarios as data, materialised organisations, inject replay and scoring. */
export * from './scenario.js';
export { initScenario, readMarker, advisoryRecords, projectOf, MARKER_FILE, DEFAULT_AUTHOR } from './init.js';
export type { InitOptions, InitResult, InitRepo, ScaleOptions, ScenarioMarker } from './init.js';
export { runScenario, formatInject, elapsed } from './run.js';
export type { RunOptions, RunResult } from './run.js';
export { scoreReport, renderScorecard, reportItems, checklistCoverage, CATEGORIES } from './score.js';
export type { Scorecard, ItemLists, Category, CategoryScore } from './score.js';
export { workflowText, npmrcText } from './ci-templates.js';
