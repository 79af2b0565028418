import type { Services } from '../app/services';

/** Prometheus text exposition of Bosun's own figures. */
export async function renderMetrics(services: Services): Promise<string> {
  const lag = await services.readModels.lag();
  return [
    '# HELP bosun_projection_lag_events Events committed but not yet applied to read models.',
    '# TYPE bosun_projection_lag_events gauge',
    `bosun_projection_lag_events ${lag.events}`,
    '# HELP bosun_projection_lag_seconds Age of the newest applied event when it was applied.',
    '# TYPE bosun_projection_lag_seconds gauge',
    `bosun_projection_lag_seconds ${(lag.ms / 1000).toFixed(3)}`,
    '',
  ].join('\n');
}
