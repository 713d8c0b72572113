import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { analyzeDag } from '../../../src/dag/analyze';
import { join } from 'node:path';

interface Manifest {
  capabilities: { untrustedWorkspaces: { supported: string; restrictedConfigurations: string[] } };
  contributes: { configuration: { properties: Record<string, unknown> } };
}
const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as Manifest;

describe('the extension manifest and Workspace Trust (fault test 5)', () => {
  it('declares limited support: validation and the graph work untrusted, running does not', () => {
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
  });

  it('makes every setting that decides what runs or where a restricted configuration, so an untrusted workspace cannot set it', () => {
    const decidesWhere = Object.keys(manifest.contributes.configuration.properties).filter((k) =>
      /docker\.host|kubeconfig|context|namespace|maxActiveTasks/i.test(k),
    );
    assert.ok(decidesWhere.includes('containerDags.docker.host'));
    for (const k of decidesWhere)
      assert.ok(
        manifest.capabilities.untrustedWorkspaces.restrictedConfigurations.includes(k),
        `${k} is not restricted`,
      );
  });
});

interface Contributes {
  commands: Array<{ command: string }>;
  menus: Record<string, Array<{ command: string; when?: string }>>;
  viewsContainers: { activitybar: Array<{ id: string; icon: string }> };
  views: Record<string, Array<{ id: string; name: string }>>;
  viewsWelcome: Array<{ view: string; contents: string; when?: string }>;
  walkthroughs: Array<{
    id: string;
    steps: Array<{ id: string; media: { markdown?: string }; completionEvents?: string[] }>;
  }>;
  snippets: Array<{ language: string; path: string }>;
  configurationDefaults: Record<string, Record<string, unknown>>;
}
const ROOT = join(__dirname, '..', '..', '..');
const contributes = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { contributes: Contributes })
  .contributes;
const shipped = readFileSync(join(ROOT, '.vscodeignore'), 'utf8')
  .split('\n')
  .filter((l) => l.startsWith('!'))
  .map((l) => l.slice(1));
const isShipped = (path: string) =>
  shipped.some((p) => p === path || (p.endsWith('/**') && path.startsWith(p.slice(0, -2))));
const BUILT_IN = /^(workbench\.|vscode\.|containerDags\.(runs|dags|pods)\.focus$)/;

describe('the extension’s home in the activity bar, its walkthrough and its authoring defaults', () => {
  const ours = new Set(contributes.commands.map((c) => c.command));

  it('ships every file the build writes to dist/ (bundles, workers, pages, wasm) in the .vsix', () => {
    const build = readFileSync(join(ROOT, 'scripts', 'build.mjs'), 'utf8');
    const written = [...build.matchAll(/(?:outfile: |, )'(dist\/[^']+)'/g)].map((m) => m[1]!);
    assert.ok(written.includes('dist/history.js') && written.includes('dist/webview.js'), written.join(', '));
    for (const f of written) assert.ok(isShipped(f), `${f} is built but not shipped (.vscodeignore)`);
  });

  it('holds the DAGs, DAG Runs and Pods views in a Container DAGs container with a shipped icon', () => {
    const [container] = contributes.viewsContainers.activitybar;
    assert.equal(container?.id, 'containerDags');
    assert.ok(isShipped(container.icon), `${container.icon} is not shipped`);
    assert.deepEqual(
      contributes.views.containerDags?.map((v) => v.name),
      ['DAGs', 'DAG Runs', 'Pods'],
    );
  });

  it('gives every view welcome content, and says what to do without a workspace, a Docker Engine or a kubeconfig', () => {
    for (const v of contributes.views.containerDags!)
      assert.ok(
        contributes.viewsWelcome.some((w) => w.view === v.id),
        `${v.id} has no welcome content`,
      );
    const said = (view: string, when: RegExp) =>
      contributes.viewsWelcome.find((w) => w.view === view && when.test(w.when ?? ''))?.contents ?? '';
    assert.match(said('containerDags.dags', /workbenchState == empty/), /Open Folder/);
    assert.match(said('containerDags.dags', /workbenchState != empty/), /command:containerDags\.newDag/);
    assert.match(said('containerDags.runs', /docker == unreachable/), /Docker Engine is not reachable/);
    assert.match(said('containerDags.pods', /no-kubeconfig/), /command:containerDags\.browseKubeconfig/);
  });

  it('names only commands that exist, in menus, welcome content and walkthrough steps', () => {
    const named = [
      ...Object.values(contributes.menus).flatMap((items) => items.map((m) => m.command)),
      ...contributes.viewsWelcome.flatMap((w) => [...w.contents.matchAll(/command:([\w.]+)/g)].map((m) => m[1]!)),
    ];
    for (const c of named) assert.ok(ours.has(c) || BUILT_IN.test(c), `${c} is not a command`);
    for (const step of contributes.walkthroughs[0]!.steps)
      for (const e of step.completionEvents ?? [])
        if (e.startsWith('onCommand:')) assert.ok(ours.has(e.slice(10)), `${step.id}: ${e}`);
  });

  it('walks through create, graph, run, failing log and Kubernetes, each step completing on what the user did', () => {
    const steps = contributes.walkthroughs[0]!.steps;
    assert.deepEqual(
      steps.map((s) => s.id),
      ['create', 'graph', 'run', 'log', 'kubernetes'],
    );
    for (const s of steps) {
      assert.ok(s.completionEvents?.length, `${s.id} never completes`);
      assert.ok(s.media.markdown && existsSync(join(ROOT, s.media.markdown)) && isShipped(s.media.markdown));
    }
  });

  it('sets 2-space indentation, suggestions in strings and no word-based suggestions for DAG files', () => {
    const d = contributes.configurationDefaults['[container-dag]']!;
    assert.equal(d['editor.tabSize'], 2);
    assert.equal(d['editor.insertSpaces'], true);
    assert.equal(d['editor.wordBasedSuggestions'], 'off');
    assert.deepEqual(d['editor.quickSuggestions'], { other: 'on', comments: 'off', strings: 'on' });
  });

  it('ships snippets that each expand into a DAG with no error', () => {
    const [entry] = contributes.snippets;
    assert.ok(isShipped(entry!.path.replace(/^\.\//, '')));
    const snippets = JSON.parse(readFileSync(join(ROOT, entry!.path), 'utf8')) as Record<string, { body: string[] }>;
    assert.ok(Object.keys(snippets).length >= 8);
    for (const [name, s] of Object.entries(snippets)) {
      const body = expandSnippet(s.body.join('\n'));
      const text = inPlace(name, body);
      const errors = analyzeDag(text, 'snippet.dag.yaml').problems.filter((p) => p.severity === 'error');
      assert.deepEqual(
        errors.map((p) => p.message),
        [],
        `snippet "${name}" gives:\n${text}`,
      );
    }
  });
});

/** A snippet as VS Code inserts it when every placeholder keeps its default. */
function expandSnippet(body: string): string {
  const values = new Map<string, string>();
  let out = body;
  for (let i = 0; i < 5; i++)
    out = out
      .replace(/\$\{(\d+)\|([^,|]*)[^|]*\|\}/g, (_m, n: string, first: string) => (values.set(n, first), first))
      .replace(/\$\{(\d+):((?:\\\}|[^$}])*)\}/g, (_m, n: string, v: string) => (values.set(n, v), v))
      .replace(/\$\{(\d+)\}/g, (_m, n: string) => values.get(n) ?? '');
  return out.replace(/\$0/g, '').replace(/\\\$/g, '$').replace(/\\\}/g, '}');
}

/** Where each snippet goes in a DAG: a task, a task's body, or a top-level section. */
function inPlace(name: string, body: string): string {
  const indent = (n: number) =>
    body
      .split('\n')
      .map((l) => ' '.repeat(n) + l)
      .join('\n');
  const upstream = `tasks:
  first: { image: busybox }
  second: { image: busybox }
  list_items: { image: busybox, outputs: [items] }
  check: { image: busybox, outputs: [rows] }
  task: { image: busybox }
`;
  const head = 'dag: snippets\nschedule: "@daily"\nstart_date: 2024-01-01\n';
  switch (name) {
    case 'Task':
    case 'Fan-in':
      return `${head}${upstream}${indent(2)}\n`;
    case 'Volume':
      return `${head}volumes:\n${indent(2)}\n${upstream}`;
    case 'Service':
      return `${head}services:\n${indent(2)}\n${upstream}  user: { image: busybox, services: [cache] }\n`;
    case 'Group':
      return `${head}groups:\n${indent(2)}\n${upstream}  member: { image: busybox, group: extract }\n`;
    case 'Fan-out (expand)':
      return `${head}${upstream}  host:\n    image: busybox\n${indent(4)}\n`;
    default:
      return `${head}${upstream}  host:\n    image: busybox\n    depends_on: [check]\n${indent(4)}\n`;
  }
}
