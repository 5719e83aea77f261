// `--metrics-port`: the live samples of a long soak in Prometheus text format, so an existing Prometheus and Grafana
// can watch it. Bound to 127.0.0.1; prom-client does the exposition, this file only maps samples onto gauges.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Gauge, Registry } from 'prom-client';
import { metricInfo } from '../analysis/metricCatalogue.ts';
import { currentGrowth } from '../analysis/verdict.ts';
import { UsageError } from '../contracts/exitCodes.ts';
import type { Sample } from '../contracts/sample.ts';
import type { LiveMetric } from './liveVerdict.ts';

export class MetricsExporter {
  private readonly registry = new Registry();
  private readonly value = new Gauge({ name: 'soakgate_target_metric', help: 'The latest sampled value of a target metric (bytes, counts, ms).', labelNames: ['metric'], registers: [this.registry] });
  private readonly ops = new Gauge({ name: 'soakgate_operations_total', help: 'Operations sent since the run started, by kind.', labelNames: ['kind'], registers: [this.registry] });
  private readonly elapsed = new Gauge({ name: 'soakgate_elapsed_seconds', help: 'Seconds since the run started.', registers: [this.registry] });
  private readonly slope = new Gauge({ name: 'soakgate_slope_per_minute', help: 'Fitted growth per minute so far, with its 95% interval (a late rise\'s own, from where it began).', labelNames: ['metric', 'bound'], registers: [this.registry] });
  private readonly growing = new Gauge({ name: 'soakgate_growing', help: '1 when the live verdict for the metric is growing.', labelNames: ['metric'], registers: [this.registry] });
  /** One series per metric the catalogue projects to the limit (RSS read every sample, and settled). */
  private readonly toLimit = new Gauge({ name: 'soakgate_seconds_to_memory_limit', help: 'Seconds until the metric reaches --memory-limit at its current slope.', labelNames: ['metric'], registers: [this.registry] });
  private constructor(private readonly server: http.Server) {}

  static async listen(port: number, labels: Record<string, string>): Promise<MetricsExporter> {
    let exporter!: MetricsExporter;
    const server = http.createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end('soakgate exposes /metrics\n');
        return;
      }
      exporter.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': exporter.registry.contentType }).end(text),
        (err: Error) => res.writeHead(500).end(err.message),
      );
    });
    exporter = new MetricsExporter(server);
    exporter.registry.setDefaultLabels(labels);
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(new UsageError(err.code === 'EADDRINUSE' ? `--metrics-port ${port} is already in use; choose another port (or 0 for any)` : `--metrics-port ${port}: ${err.message}`)),
      );
      server.listen(port, '127.0.0.1', resolve);
    });
    return exporter;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/metrics`;
  }

  update(sample: Sample): void {
    this.elapsed.set(sample.t);
    for (const [metric, v] of Object.entries(sample.metrics)) this.value.set({ metric }, v);
    for (const [kind, n] of Object.entries(sample.ops)) this.ops.set({ kind }, n);
  }

  updateVerdict(live: LiveMetric[]): void {
    for (const { metric, summary, secondsToLimit } of live) {
      const growth = currentGrowth(summary);
      this.slope.set({ metric, bound: 'estimate' }, growth.slopePerMin);
      this.slope.set({ metric, bound: 'low' }, growth.ciLow);
      this.slope.set({ metric, bound: 'high' }, growth.ciHigh);
      this.growing.set({ metric }, summary.verdict === 'growing' ? 1 : 0);
      if (metricInfo(metric).projectedToLimit) {
        if (secondsToLimit === null) this.toLimit.remove({ metric });
        else this.toLimit.set({ metric }, secondsToLimit);
      }
    }
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
