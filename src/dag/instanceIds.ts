/** An instance of a task with `expand` is named `ID[i]`, as Airflow shows a map index. */
export const instanceId = (task: string, i: number): string => `${task}[${i}]`;

/**
 * The task and map index an instance id names, or undefined for a plain id. A task id may hold
 * brackets itself (`a[b]`), so only a trailing `[digits]` counts, and the caller checks that the
 * task it names has `expand`.
 */
export function parseInstanceId(id: string): { readonly task: string; readonly index: number } | undefined {
  const m = /^(.+)\[(\d{1,5})\]$/.exec(id);
  return m ? { task: m[1]!, index: Number(m[2]) } : undefined;
}
