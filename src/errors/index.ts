export { AppError, isAppError } from './app-error';
export type { ErrorCode, AppErrorOptions } from './app-error';
