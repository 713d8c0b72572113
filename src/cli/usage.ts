/** Each command's synopsis, for `cdag --help` and its usage errors (the commands themselves load on first use). */
export const USAGES = {
  validate: 'cdag validate FILE... [--json]',
  graph: 'cdag graph FILE [--format json|dot|svg] [--direction RIGHT|DOWN] [--record RUN.json]',
  render: 'cdag render FILE --task ID [--date YYYY-MM-DD] [--backend docker|kubernetes]',
  run: `cdag run FILE [--date D | --from D --to D [--yes] [--reprocess none|failed|completed] | --rerun RUN_ID] [--task ID [--downstream] [--upstream]] [--backend docker|kubernetes] [--param k=v]...
         [--max-active N] [--max-runs N] [--runs-dir DIR] [--json] [--keep-failed] [--allow-host-path P]... [--allow-host-network] [--allow-privileged]
         [--context NAME] [--namespace NS] [--kubeconfig FILE] [--no-build] [--registry HOST | --load-image CMD]`,
  build: 'cdag build FILE [--task ID]... [--push --registry HOST] [--allow-host-path P]... [--json]',
  diff: 'cdag diff RUN_A RUN_B [--runs-dir DIR] [--json]',
  pods: 'cdag pods [--namespace NS] [--context NAME] [--kubeconfig FILE] [--runs-dir DIR]... [--remove] [--json]',
  import: 'cdag import DAG.py [-o FILE.dag.yaml] [--force] [--report] [--airflow 2|3]',
  export: 'cdag export FILE --to airflow|argo [--operator docker|kubernetes] [-o OUT] [--force]',
} as const;

export const USAGE = `Usage:\n${Object.values(USAGES)
  .map((u) => `  ${u}`)
  .join('\n')}\n  cdag --version`;
