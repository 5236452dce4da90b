export { createJobLeases } from './job-lease';
export type { JobLeases } from './job-lease';
export { createPeriodicJobs } from './periodic-jobs';
export type { JobObserver, PeriodicJob } from './periodic-jobs';
