import { fail, ok, type Errorable } from '../util/errorable';
import type { Task } from './model';

const SUFFIX: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const QUANTITY = /^(\d+(?:\.\d+)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[mkMGTPE])?$/;

/** CPUs as Kubernetes writes them (`0.5`, `500m`, `2`) → cores. */
export function parseCpu(text: string): Errorable<number> {
  const m = QUANTITY.exec(text.trim());
  const unit = m?.[2] ?? '';
  if (!m || (unit !== '' && unit !== 'm')) {
    return fail(`"${text}" is not a CPU quantity: write cores (0.5, 2) or millicores (500m).`);
  }
  const cores = Number(m[1]) * SUFFIX[unit]!;
  if (cores <= 0) return fail('A CPU request must be more than 0.');
  return ok(cores);
}

/** Memory as Kubernetes writes it (`256Mi`, `1Gi`, `128974848`) → bytes. */
export function parseMemory(text: string): Errorable<number> {
  const m = QUANTITY.exec(text.trim());
  if (!m) return fail(`"${text}" is not a memory quantity: write e.g. 256Mi, 1Gi or 512M (bytes when no unit).`);
  const unit = m[2] ?? '';
  if (unit === 'm') {
    return fail(`"${text}" means millibytes; write Mi (mebibytes) or M (megabytes) instead.`);
  }
  const bytes = Math.round(Number(m[1]) * SUFFIX[unit]!);
  if (bytes < 6 * 2 ** 20) return fail(`"${text}" is under 6 MiB, the least memory Docker lets a container have.`);
  return ok(bytes);
}

/** A task's resources as Kubernetes quantities (requests = limits), or undefined when it asks for none. */
export function resourceQuantities(t: Pick<Task, 'resources'>): Record<string, string> | undefined {
  const q: Record<string, string> = {};
  if (t.resources.cpu) q.cpu = `${Math.round(t.resources.cpu * 1000)}m`;
  if (t.resources.memoryBytes) q.memory = String(t.resources.memoryBytes);
  if (t.resources.gpu) q['nvidia.com/gpu'] = String(t.resources.gpu);
  return Object.keys(q).length ? q : undefined;
}
