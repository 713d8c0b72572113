import { fail, ok, type Errorable } from '../util/errorable';
import type { OutputFile } from './backend';

/** The whole JSON object of a task's outputs, at most: the Kubernetes termination-message limit. */
export const MAX_OUTPUT_BYTES = 4096;

/** Where a container writes its outputs, per backend. */
export const OUTPUT_PATHS = {
  /**
   * In the container's own file system (a folder put there before it starts, writable by any user),
   * so it can be read from the stopped container, remote daemons too, whatever the image holds.
   */
  docker: '/cdag/output.json',
  /** The container's termination message, which the kubelet carries in its status. */
  kubernetes: '/dev/termination-log',
} as const;

export type OutputFailure = {
  readonly code: 'output-missing' | 'output-invalid' | 'output-too-large';
  readonly message: string;
};

/**
 * The outputs a successful attempt produced: one JSON object with every declared name. Anything
 * else fails the attempt with a code and a message naming the file and the fix.
 */
export function readOutputs(
  declared: readonly string[],
  file: OutputFile | undefined,
  path: string,
): Errorable<Record<string, unknown>, OutputFailure> {
  if (!file || file.kind === 'missing')
    return fail({
      code: 'output-missing',
      message: `output-missing: the task declares outputs (${declared.join(', ')}) but wrote no ${path} ($CDAG_OUTPUT). Write one JSON object there, e.g. echo '{"${declared[0]}": 1}' > "$CDAG_OUTPUT".`,
    });
  if (file.kind === 'unreadable')
    return fail({
      code: 'output-missing',
      message: `output-missing: ${path} ($CDAG_OUTPUT) could not be read: ${file.why}.`,
    });
  const bytes = file.kind === 'too-large' ? file.bytes : Buffer.byteLength(file.text);
  if (file.kind === 'too-large' || bytes > MAX_OUTPUT_BYTES)
    return fail({
      code: 'output-too-large',
      message: `output-too-large: ${path} ($CDAG_OUTPUT) holds ${bytes} bytes, more than ${MAX_OUTPUT_BYTES}. Outputs are for values (ids, counts, keys); pass files through a volume and output their paths.`,
    });
  let value: unknown;
  try {
    value = JSON.parse(file.text);
  } catch (e) {
    return fail({
      code: 'output-invalid',
      message: `output-invalid: ${path} ($CDAG_OUTPUT) is not JSON (${(e as Error).message}). Write one JSON object, e.g. {"${declared[0]}": 1}.`,
    });
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    return fail({
      code: 'output-invalid',
      message: `output-invalid: ${path} ($CDAG_OUTPUT) holds ${Array.isArray(value) ? 'a list' : `a ${value === null ? 'null' : typeof value}`}, not an object of outputs. Write {"${declared[0]}": …}.`,
    });
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const missing: string[] = [];
  for (const name of declared) {
    if (Object.prototype.hasOwnProperty.call(value, name)) out[name] = (value as Record<string, unknown>)[name];
    else missing.push(name);
  }
  if (missing.length)
    return fail({
      code: 'output-missing',
      message: `output-missing: ${path} ($CDAG_OUTPUT) has no ${missing.map((m) => `"${m}"`).join(', ')} (it has: ${Object.keys(value).join(', ') || 'nothing'}).`,
    });
  return ok(out);
}
