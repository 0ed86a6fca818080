/**
 * Load tests as programs and functions: {@linkcode runPipeline} sends tasks through a STREAMER
 * device to workers in Web Workers and a collector that accounts for each task exactly once;
 * {@linkcode runSlowSubscriber} shows a publisher that never waits while a slow subscriber at
 * its high-water mark loses messages, and counts the losses. A tool, not part of the library's
 * API (the root mod.ts does not re-export it).
 *
 * @module
 */
export { type PipelineOptions, type PipelineReport, runPipeline } from "./pipeline.ts";
export {
  runSlowSubscriber,
  type SlowSubscriberOptions,
  type SlowSubscriberReport,
} from "./slow_subscriber.ts";
export type { Accounting } from "./collector.ts";
