/** A DAG of n tasks in the shape users write: templated args, env, 1–2 upstream tasks each. */
export function generateDag(n: number): string {
  const lines = [
    `dag: generated_${n}`,
    'schedule: "@daily"',
    'start_date: 2024-01-01',
    'params:',
    '  bucket: raw',
    'volumes:',
    '  data: { docker: /tmp/cdag-bench, kubernetes: { claim: data } }',
    'defaults:',
    '  retries: 1',
    '  retry_delay: 30s',
    '  mounts: [data:/data]',
    'tasks:',
  ];
  for (let i = 0; i < n; i++) {
    lines.push(
      `  task_${i}:`,
      `    image: registry.example.com/team/step:${1 + (i % 9)}.${i % 4}`,
      '    command: [python, -m, step]',
      `    args: [--day, "{{ ds }}", --bucket, "{{ params.bucket }}", --out, "/data/${i}/{{ ds_nodash }}.json"]`,
      '    env:',
      `      STEP: "${i}"`,
      '      LOG_LEVEL: info',
    );
    if (i > 0) {
      const deps = [`task_${Math.floor(i / 2)}`];
      if (i > 2 && i % 3 === 0) deps.push(`task_${i - 1}`);
      lines.push(`    depends_on: [${[...new Set(deps)].join(', ')}]`);
    }
    if (i % 5 === 0) lines.push('    timeout: 10m', '    resources: { cpu: 500m, memory: 256Mi }');
  }
  return lines.join('\n') + '\n';
}

/**
 * A DAG whose tasks pass values: each of `tasks` declares outputs, and each after the first reads
 * five outputs of tasks upstream of it (`refs` = 5 per task) in args, env and `when`.
 */
export function generateDataflowDag(tasks = 101): string {
  const lines = ['dag: dataflow', 'schedule: "@daily"', 'start_date: 2024-01-01', 'tasks:'];
  for (let i = 0; i < tasks; i++) {
    const up = `task_${Math.floor((i - 1) / 2)}`;
    lines.push(
      `  task_${i}:`,
      `    image: registry.example.com/team/step:${1 + (i % 9)}`,
      '    outputs: [rows, ids, path]',
    );
    if (i > 0)
      lines.push(
        `    depends_on: [${up}]`,
        `    args: [--rows, "{{ tasks.${up}.outputs.rows }}", --ids, "{{ tasks.${up}.outputs.ids | tojson }}", --in, "{{ tasks.${up}.outputs.path }}"]`,
        `    env: {COUNT: "{{ tasks.${up}.outputs.ids | length }}"}`,
        `    when: "{{ tasks.${up}.outputs.rows | gt(0) }}"`,
      );
  }
  return `${lines.join('\n')}\n`;
}
