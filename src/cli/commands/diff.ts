import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { RunRecord } from '../../protocol/runRecord';
import { diffRuns, differenceText } from '../../runner/runDiff';
import { asRunRecord } from '../../runner/runRecordShape';
import { RunStore } from '../../runner/runStore';
import { EXIT, type Io } from '../io';
import { USAGES } from '../usage';

/**
 * `cdag diff RUN_A RUN_B`: what differs between two runs (a run id in the runs folder, a run folder
 * or a record.json) — params, and per task the state, image and digest, rendered command and args,
 * exit code, reason, outputs and a duration that changed markedly. Exits 0 when nothing differs, 1
 * when something does, as `diff` does.
 */
export function diffCommand(args: readonly string[], io: Io): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: { 'runs-dir': { type: 'string' }, json: { type: 'boolean' } },
      allowPositionals: true,
    });
  } catch (e) {
    io.err(`${(e as Error).message}\nUsage: ${USAGES.diff}\n`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 2) {
    io.err(`diff compares two runs.\nUsage: ${USAGES.diff}\n`);
    return EXIT.usage;
  }
  const store = new RunStore(resolve(values['runs-dir'] ?? join('.cdag', 'runs')));
  const records: RunRecord[] = [];
  for (const ref of positionals) {
    const r = readRecord(ref, store, io);
    if (typeof r === 'string') {
      io.err(`${r}\n`);
      return EXIT.failed;
    }
    records.push(r);
  }
  const [a, b] = records as [RunRecord, RunRecord];
  const d = diffRuns(a, b);
  const differs = d.params.length > 0 || d.tasks.length > 0;
  if (values.json) {
    io.out(`${JSON.stringify({ a: a.run_id, b: b.run_id, ...d }, null, 2)}\n`);
    return differs ? EXIT.failed : EXIT.ok;
  }
  const lines = [`${a.dag} ${a.run_id} → ${b.dag} ${b.run_id}`, ...d.run.map((x) => `  ${differenceText(x)}`)];
  if (d.params.length) lines.push('params:', ...d.params.map((x) => `  ${differenceText(x)}`));
  for (const t of d.tasks) lines.push(`${t.task}:`, ...t.differences.map((x) => `  ${differenceText(x)}`));
  lines.push(d.same.length ? `same in both: ${d.same.join(', ')}` : differs ? '' : 'no task differs');
  io.out(`${lines.filter((l) => l !== '').join('\n')}\n`);
  return differs ? EXIT.failed : EXIT.ok;
}

/** A run by id in the store, or by its folder or record.json path; a message when it cannot be read. */
function readRecord(ref: string, store: RunStore, io: Io): RunRecord | string {
  const candidates = ref.endsWith('.json') ? [ref] : [join(store.runDir(ref), 'record.json'), join(ref, 'record.json')];
  for (const path of candidates) {
    let text: string;
    try {
      text = io.readFile(path);
    } catch {
      continue;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return `${path} is not JSON: not a run record.`;
    }
    const r = asRunRecord(json);
    return typeof r === 'string' ? `${path} is not a run record (${r}).` : r;
  }
  return `No run "${ref}" in ${store.root} (give a run id, a run folder or its record.json; --runs-dir picks the folder).`;
}
