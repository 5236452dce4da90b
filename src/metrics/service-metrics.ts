/**
 * What an operator watches, in the Prometheus text format (prom-client): requests by route and status with
 * latency histograms, verifications by indication, sends, deliveries waiting for peers, database connections
 * in use, periodic jobs run and failed, and the process itself. One registry per service (several services
 * may live in one test process); values that live in the database are read when scraped.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface MetricSources {
  /** Deliveries waiting for peers (pending). */
  deliveriesWaiting: () => Promise<number>;
}

export function createServiceMetrics(sources: MetricSources) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'kyso_' });
  const requests = new Counter({ name: 'kyso_http_requests_total', help: 'HTTP requests by route, method and status', labelNames: ['route', 'method', 'status'], registers: [registry] });
  const latency = new Histogram({
    name: 'kyso_http_request_duration_seconds', help: 'HTTP request latency by route, method and status', labelNames: ['route', 'method', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [registry],
  });
  const verifications = new Counter({ name: 'kyso_verifications_total', help: 'Documents validated, by ETSI main indication', labelNames: ['indication'], registers: [registry] });
  const sends = new Counter({ name: 'kyso_exchanges_sent_total', help: 'Exchanges sent (new, not replays)', registers: [registry] });
  const sendPhases = new Histogram({
    name: 'kyso_send_phase_seconds', help: 'Where a send spends its time: lookup, validate, store, exchange, recipients', labelNames: ['phase'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers: [registry],
  });
  const pool = new Gauge({ name: 'kyso_db_connections_in_use', help: 'Database connections checked out of the driver pool', registers: [registry] });
  const jobRuns = new Counter({ name: 'kyso_job_runs_total', help: 'Periodic job runs in this instance, by job and outcome', labelNames: ['job', 'outcome'], registers: [registry] });
  const jobSeconds = new Histogram({ name: 'kyso_job_duration_seconds', help: 'Periodic job run time', labelNames: ['job'], buckets: [0.01, 0.1, 1, 10, 60, 600], registers: [registry] });
  new Gauge({
    name: 'kyso_deliveries_waiting', help: 'Packages waiting for delivery to peers (shared by all instances)', registers: [registry],
    async collect() {
      this.set(await sources.deliveriesWaiting());
    },
  });

  return {
    registry,
    request(route: string, method: string, status: number, seconds: number): void {
      const labels = { route, method, status: String(status) };
      requests.inc(labels);
      latency.observe(labels, seconds);
    },
    verified: (indication: string) => verifications.inc({ indication }),
    sent: () => sends.inc(),
    sendPhase: (phase: string, seconds: number) => sendPhases.observe({ phase }, seconds),
    connectionOut: () => pool.inc(),
    connectionIn: () => pool.dec(),
    jobs: { ran: (job: string, outcome: 'ok' | 'failed', seconds: number) => { jobRuns.inc({ job, outcome }); jobSeconds.observe({ job }, seconds); } },
    text: () => registry.metrics(),
    contentType: registry.contentType,
  };
}

export type ServiceMetrics = ReturnType<typeof createServiceMetrics>;
