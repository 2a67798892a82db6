export { recommendWorkers, type RecommendWorkersInput, type WorkerAdvice } from './recommend-workers.js';
export { adviseQueue, type QueueAdvice } from './advise-queue.js';
export { scalingOptionsFromConfig, type ScalingOptions } from './scaling-options.js';
export { registerScalingMetrics, type ScalingMetrics, type ScalingMetricsDeps } from './register-scaling-metrics.js';
