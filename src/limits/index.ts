export { createFailureWindow } from './failure-window';
export type { FailureWindow } from './failure-window';
