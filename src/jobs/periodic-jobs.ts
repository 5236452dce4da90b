/**
 * Periodic jobs of the service (the orphan sweep, the renewal of long-term copies): each instance looks at
 * every job on a short tick, and runs it only when it claims the job's run of the current interval
 * (job-lease.ts), so any number of instances run each job once per interval. A run that fails is logged and
 * counted; the job runs again at the next interval, like after a success (a job retries its own items).
 */
import type { Logger } from 'pino';
import type { JobLeases } from './job-lease';

export interface PeriodicJob {
  name: string;
  intervalMs: number;
  /** What the run did, for the log (e.g. { renewed: 2, failed: 0 }). */
  run: () => Promise<Record<string, number>>;
}

export interface JobObserver {
  ran(job: string, outcome: 'ok' | 'failed', seconds: number): void;
}

export function createPeriodicJobs(leases: JobLeases, jobs: PeriodicJob[], options: { logger: Logger; tickMs: number; observer?: JobObserver }) {
  const log = options.logger.child({ holder: leases.holder });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  async function runOne(job: PeriodicJob): Promise<void> {
    // Held for the run itself with room to spare; a crashed holder's lease runs out after that.
    const runId = await leases.acquire(job.name, job.intervalMs, Math.max(job.intervalMs, 5 * 60_000));
    if (!runId) return;
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    try {
      const result = await job.run();
      options.observer?.ran(job.name, 'ok', seconds());
      log.info({ job: job.name, ...result, seconds: Number(seconds().toFixed(3)) }, 'periodic job ran');
    } catch (error) {
      options.observer?.ran(job.name, 'failed', seconds());
      log.error({ job: job.name, err: error }, 'periodic job failed; it runs again at its next interval');
    } finally {
      await leases.finish(runId).catch((error: unknown) => log.warn({ job: job.name, err: error }, 'could not record the run'));
    }
  }

  async function tick(): Promise<void> {
    for (const job of jobs) {
      if (stopped) return;
      await runOne(job).catch((error: unknown) => log.warn({ job: job.name, err: error }, 'the job lease could not be read; trying again at the next tick'));
    }
  }

  return {
    start(): void {
      const loop = () => {
        if (stopped || running) return;
        running = tick().finally(() => { running = undefined; });
      };
      timer = setInterval(loop, options.tickMs);
      timer.unref();
      loop();
    },
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearInterval(timer);
      await running;
    },
    tick,
  };
}
