import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { benchActivation, printActivation } from './activation.bench';
import { benchAirflow, printAirflow } from './airflow.bench';
import { benchDocker, printDocker } from './docker.bench';
import { benchBuild, printBuild } from './build.bench';
import { benchCliStart, printCliStart } from './cliStart.bench';
import { benchGraph, printGraph } from './graph.bench';
import { benchHistory, printHistory } from './history.bench';
import { benchKubernetes, printKubernetes } from './kubernetes.bench';
import { fmt } from './stats';
import { benchDataflowValidation, benchValidation, printValidation } from './validation.bench';

// Bundled to out/bench.js by scripts/bench.mjs; the project root is one level up.
const ROOT = resolve(__dirname, '..');

async function main(): Promise<void> {
  const only = process.argv[2];
  const validation = only && only !== 'validation' ? [] : benchValidation();
  const dataflow = only && only !== 'validation' ? undefined : benchDataflowValidation();
  const activation = benchActivation(ROOT);
  const cliStart = only && only !== 'cli' ? undefined : benchCliStart(ROOT);
  const docker = only && only !== 'docker' ? 'skipped (not asked for)' : await benchDocker(ROOT);
  const build = only && only !== 'build' ? 'skipped (not asked for)' : benchBuild(ROOT);
  const graph = only && only !== 'graph' ? [] : await benchGraph(ROOT);
  const history = only && only !== 'history' ? undefined : await benchHistory(ROOT);
  const kubernetes = only && only !== 'kubernetes' ? 'skipped (not asked for)' : await benchKubernetes(ROOT);
  const airflow = only && only !== 'airflow' ? 'skipped (not asked for)' : benchAirflow(ROOT);
  const lines = [
    `container-dags benchmarks — node ${process.version}, ${new Date().toISOString()}`,
    ...(validation.length ? printValidation(validation) : []),
    ...(dataflow
      ? [
          `validation of ${dataflow.refs} output references (${dataflow.tasks} tasks): ${dataflow.validateMs.toFixed(1)} ms vs yaml.parseDocument ${dataflow.parseAloneMs.toFixed(1)} ms = ${dataflow.ratio.toFixed(2)}x; ${dataflow.shippedRatio.toFixed(2)}x of the parser as shipped`,
        ]
      : []),
    ...printActivation(activation),
    ...(cliStart ? printCliStart(cliStart) : []),
    ...printDocker(docker),
    ...printBuild(build),
    ...(graph.length ? printGraph(graph) : []),
    ...(history ? printHistory(history) : []),
    ...printKubernetes(kubernetes),
    ...printAirflow(airflow),
  ];
  const checks: Array<[string, boolean]> = [];
  const byTasks = (n: number) => validation.find((v) => v.tasks === n);
  if (byTasks(200) && byTasks(2000)) {
    const growth = byTasks(2000)!.perTaskUs / byTasks(200)!.perTaskUs;
    checks.push(
      [
        `200 tasks validated in ${byTasks(200)!.validateMs.toFixed(1)} ms (target <= 50 ms)`,
        byTasks(200)!.validateMs <= 50,
      ],
      ...validation.map((v): [string, boolean] => [
        `${v.tasks} tasks: ${v.ratio.toFixed(2)}x parse alone (target <= 1.3x)`,
        v.ratio <= 1.3,
      ]),
      [`growth 200 → 2,000 tasks: ${growth.toFixed(2)}x time per task (linear = 1.0)`, growth <= 1.5],
    );
  }
  if (dataflow)
    checks.push([
      // Judged against the parser as shipped: the published yaml is slower by its per-token
      // environment probe, which would meet the target without the checks getting any faster.
      `${dataflow.refs} output references: ${dataflow.shippedRatio.toFixed(2)}x of the parser as shipped, ${dataflow.ratio.toFixed(2)}x of the published yaml (target <= 1.2x)`,
      dataflow.shippedRatio <= 1.2,
    ]);
  if (cliStart)
    checks.push(
      [
        `cdag --version ${fmt(cliStart.versionMs - cliStart.nodeMs)} ms over bare node (target <= 50 ms)`,
        cliStart.versionMs - cliStart.nodeMs <= 50,
      ],
      [
        `cdag validate of 2,000 tasks: ${cliStart.validateRatio.toFixed(2)}x of node -e yaml (target <= 1.2x)`,
        cliStart.validateRatio <= 1.2,
      ],
    );
  if (typeof build !== 'string')
    checks.push([
      `an unchanged build context costs ${build.deltaMs.toFixed(0)} ms before the first container (target <= 300 ms)`,
      build.deltaMs <= 300,
    ]);
  checks.push(
    [`activation ${activation.totalMs.toFixed(1)} ms (target <= 100 ms)`, activation.totalMs <= 100],
    ['no Docker, Kubernetes, elkjs or Python-parser code loaded at activation', activation.heavyLoaded.length === 0],
  );
  if (typeof docker !== 'string') {
    checks.push(
      [
        `chain of 20: ${docker.chain20.ratio.toFixed(2)}x of sequential docker run (target <= 0.90x)`,
        docker.chain20.ratio <= 0.9,
      ],
      [
        `chain of 20: ${docker.chain20.floorRatio.toFixed(2)}x of the Engine API floor (target <= 1.08x)`,
        docker.chain20.floorRatio <= 1.08,
      ],
      [
        `40 at 8 at once: ${docker.parallel40.ratio.toFixed(2)}x of xargs -P8 docker run (target <= 0.90x)`,
        docker.parallel40.ratio <= 0.9,
      ],
      [
        `1,000-instance fan-out at 8: ${docker.fanout1000.ratio.toFixed(2)}x of xargs -P8 docker run (target <= 1.0x)`,
        docker.fanout1000.ratio <= 1.0,
      ],
      [
        `log throughput ${docker.logs100mb.throughputRatio.toFixed(2)}x of docker logs (target >= 1.0x)`,
        docker.logs100mb.throughputRatio >= 1.0,
      ],
    );
  }
  const size = (n: number) => graph.find((g) => g.tasks === n);
  if (size(50))
    checks.push([
      `graph of 50 tasks drawn in ${size(50)!.renderMs.toFixed(0)} ms (target <= 150 ms)`,
      size(50)!.renderMs <= 150,
    ]);
  if (size(500))
    checks.push([
      `graph of 500 tasks drawn in ${size(500)!.renderMs.toFixed(0)} ms (target <= 300 ms)`,
      size(500)!.renderMs <= 300,
    ]);
  if (size(2000))
    checks.push([
      `graph of 2,000 tasks drawn in ${size(2000)!.renderMs.toFixed(0)} ms (target <= 1000 ms)`,
      size(2000)!.renderMs <= 1000,
    ]);
  if (size(10000))
    checks.push([
      `graph of 10,000 tasks open in ${size(10000)!.renderMs.toFixed(0)} ms (target <= 3000 ms)`,
      size(10000)!.renderMs <= 3000,
    ]);
  if (graph.length) {
    const longest = Math.max(...graph.filter((g) => g.tasks <= 2000).map((g) => g.longestTaskMs));
    checks.push([
      `longest main-thread task while drawing 50/500/2,000 tasks: ${longest ? `${longest.toFixed(0)} ms` : '< 50 ms'} (target <= 100 ms)`,
      longest <= 100,
    ]);
  }
  if (history)
    checks.push(
      [
        `history grid of ${history.runs} runs × ${history.tasks} tasks drawn in ${history.renderMs.toFixed(0)} ms (target <= 300 ms)`,
        history.renderMs <= 300,
      ],
      [
        `longest main-thread task while drawing it: ${history.longestTaskMs ? `${history.longestTaskMs.toFixed(0)} ms` : '< 50 ms'} (target <= 100 ms)`,
        history.longestTaskMs <= 100,
      ],
    );
  if (typeof kubernetes !== 'string') {
    checks.push(
      [
        `kubernetes orchestration ${kubernetes.orchestrationMs.toFixed(0)} ms per task, median (target <= 150 ms)`,
        kubernetes.orchestrationMs <= 150,
      ],
      [
        `kubernetes chain of 10: ${kubernetes.ratio.toFixed(2)}x of kubectl run x10 (target <= 0.5x)`,
        kubernetes.ratio <= 0.5,
      ],
    );
  }
  if (typeof airflow !== 'string') {
    checks.push([
      `chain of 10 on Docker: ${airflow.chain10.speedup.toFixed(1)}x faster than airflow dags test (target >= 5x)`,
      airflow.chain10.speedup >= 5,
    ]);
  }
  lines.push('targets:', ...checks.map(([s, ok]) => `  ${ok ? 'MET   ' : 'MISSED'} ${s}`));
  console.log(lines.join('\n'));
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(
    join(ROOT, 'bench', 'results', 'latest.json'),
    JSON.stringify({ validation, activation, docker, kubernetes, airflow, checks }, null, 2),
  );
}

void main();
