export { createServiceMetrics } from './service-metrics';
export type { MetricSources, ServiceMetrics } from './service-metrics';
