import type { Dag } from './model';

export interface GraphNode {
  readonly id: string;
  readonly image: string;
  readonly command?: readonly string[];
  readonly triggerRule: string;
  readonly retries: number;
  /** The task has `expand`: drawn as one stacked node that opens into its instances. */
  readonly mapped?: boolean;
  /** The outputs it declares. */
  readonly outputs?: readonly string[];
  /** Only in a drawing where a mapped task is opened: the task this node is an instance of, and its index. */
  readonly instanceOf?: string;
  readonly mapIndex?: number;
  /** The group the task is in (`extract.eu`). */
  readonly group?: string;
  /** Its image is built from a folder before it runs (`build`, or the DAG's `images`). */
  readonly built?: boolean;
  /** Only in a drawing where a group is folded: this node stands for the group's tasks. */
  readonly folded?: boolean;
}

/** A task group, drawn as a box around its tasks (inside its outer group's box). */
export interface GraphGroup {
  readonly id: string;
  readonly description?: string;
  readonly parent?: string;
}

/** A run-scoped service: drawn apart from the tasks, in a lane of its own, with the tasks it serves. */
export interface GraphService {
  readonly id: string;
  readonly image: string;
  /** The tasks that need it. */
  readonly tasks: readonly string[];
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
}

/** The DAG as nodes and upstream → downstream edges; the shape `cdag graph --format json` prints. */
export interface DagGraph {
  readonly dag: string;
  readonly description?: string;
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
  /** Task groups, outer before inner; absent when the DAG has none. */
  readonly groups?: readonly GraphGroup[];
  /** Services some task needs, in file order; absent when none is used. */
  readonly services?: readonly GraphService[];
}

export function toGraph(dag: Dag): DagGraph {
  const known = new Set(dag.tasks.map((t) => t.id));
  return {
    dag: dag.id,
    ...(dag.description ? { description: dag.description } : {}),
    nodes: dag.tasks.map((t) => ({
      id: t.id,
      image: t.image,
      ...(t.command ? { command: t.command } : {}),
      triggerRule: t.triggerRule,
      retries: t.retries,
      ...(t.expand ? { mapped: true } : {}),
      ...(t.outputs.length ? { outputs: t.outputs } : {}),
      ...(t.group ? { group: t.group } : {}),
      ...(t.build ? { built: true } : {}),
    })),
    ...(dag.groups.size
      ? {
          groups: [...dag.groups.values()].map((g) => ({
            id: g.name,
            ...(g.description ? { description: g.description } : {}),
            ...(g.parent ? { parent: g.parent } : {}),
          })),
        }
      : {}),
    edges: dag.tasks.flatMap((t) => t.dependsOn.filter((d) => known.has(d)).map((d) => ({ from: d, to: t.id }))),
    ...servicesOf(dag),
  };
}

function servicesOf(dag: Dag): { services?: GraphService[] } {
  const services = [...dag.services.values()]
    .map((s) => ({
      id: s.name,
      image: s.image,
      tasks: dag.tasks.filter((t) => t.services.includes(s.name)).map((t) => t.id),
    }))
    .filter((s) => s.tasks.length > 0);
  return services.length ? { services } : {};
}

/** Graphviz DOT, quoting every id so any task id is safe. */
export function toDot(g: DagGraph): string {
  const q = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
  const lines = [`digraph ${q(g.dag)} {`, '  rankdir=LR;', '  node [shape=box, style=rounded];'];
  for (const n of g.nodes) lines.push(`  ${q(n.id)} [label=${q(`${n.id}\n${n.image}`)}];`);
  for (const e of g.edges) lines.push(`  ${q(e.from)} -> ${q(e.to)};`);
  lines.push('}');
  return lines.join('\n') + '\n';
}
