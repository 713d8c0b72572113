import { isoTimestamp } from '../dag/dates';

/** A run id in Airflow's shape, made safe for labels and file names: `manual__2019-01-01T00.00.00Z`. */
export function makeRunId(kind: 'manual' | 'scheduled' | 'backfill', logical: Date, suffix = ''): string {
  return `${kind}__${isoTimestamp(logical).replace('+00:00', 'Z').replace(/:/g, '.')}${suffix ? `__${suffix}` : ''}`;
}
