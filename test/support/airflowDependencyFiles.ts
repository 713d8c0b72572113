/**
 * Random Airflow DAG files whose dependencies are written in every statement form `cdag import`
 * reads (parentheses, tuples, lists, chains, set_upstream, chain(), cross_downstream, for loops over
 * literal lists, if blocks, an EmptyOperator in between), for comparing its edges with Airflow's
 * own on the same file. Edges only go from a lower task to a higher one, so there is never a cycle.
 */
export function randomDependencyFile(seed: number, dagId: string): string {
  let state = seed >>> 0 || 1;
  const rnd = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const int = (n: number) => Math.floor(rnd() * n);
  const n = 6 + int(4);
  const t = (i: number) => `t${i}`;
  /** Two distinct task indices, lower first. */
  const pair = (): [number, number] => {
    const a = int(n - 1);
    return [a, a + 1 + int(n - a - 1)];
  };
  const above = (i: number, k: number) => {
    const out = new Set<number>();
    for (let j = 0; j < k && i + 1 < n; j++) out.add(i + 1 + int(n - i - 1));
    return [...out];
  };
  const lines: string[] = [];
  const forms = [
    () => {
      const [a, b] = pair();
      lines.push(`${t(a)} >> ${t(b)}`);
    },
    () => {
      const a = int(n - 2);
      const b = a + 1 + int(n - a - 2);
      const c = b + 1 + int(n - b - 1);
      lines.push(`(\n    ${t(a)}\n    >> ${t(b)}\n    >> ${t(c)}\n)`);
    },
    () => {
      const a = int(n - 1);
      lines.push(`${t(a)} >> [${above(a, 2).map(t).join(', ')}]`);
    },
    () => {
      const [a, b] = pair();
      lines.push(`${t(b)} << ${t(a)}`);
    },
    () => {
      const [a, b] = pair();
      const [c, d] = pair();
      lines.push(`(${t(a)} >> ${t(b)}, ${t(d)} << ${t(c)})`);
    },
    () => {
      const [a, b] = pair();
      lines.push(rnd() < 0.5 ? `${t(b)}.set_upstream(${t(a)})` : `${t(a)}.set_downstream([${t(b)}])`);
    },
    () => {
      const [a, b] = pair();
      lines.push(`chain(${t(a)}, ${t(b)})`);
    },
    () => {
      const a = int(n - 3);
      lines.push(`cross_downstream([${t(a)}], [${above(a, 2).map(t).join(', ')}])`);
    },
    () => {
      const a = int(n - 1);
      lines.push(`for x in [${above(a, 2).map(t).join(', ')}]:\n    ${t(a)} >> x`);
    },
    () => {
      const [a, b] = pair();
      lines.push(`if True:\n    ${t(a)} >> ${t(b)}`);
    },
    () => {
      const [a, b] = pair();
      const empty = `empty_${lines.length}`;
      lines.push(`${empty} = EmptyOperator(task_id="${empty}")`, `${t(a)} >> ${empty} >> ${t(b)}`);
    },
  ];
  const statements = 3 + int(6);
  for (let i = 0; i < statements; i++) forms[int(forms.length)]!();
  const tasks = Array.from({ length: n }, (_, i) => `    ${t(i)} = DockerOperator(task_id="${t(i)}", image="busybox")`);
  return `from airflow import DAG
from airflow.models.baseoperator import chain, cross_downstream
from airflow.operators.empty import EmptyOperator
from airflow.providers.docker.operators.docker import DockerOperator

with DAG("${dagId}", schedule=None) as dag:
${tasks.join('\n')}
${lines.map((l) => l.replace(/^/gm, '    ')).join('\n')}
`;
}
