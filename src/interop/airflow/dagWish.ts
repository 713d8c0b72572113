import type { Node } from 'web-tree-sitter';
import type { Doc, DocMap } from './importContext';

/**
 * A DAG-level setting one operator asks for (Airflow sets `namespace` or `network_mode` per task;
 * this format per DAG). Agreed wishes are lifted to the DAG; disagreeing ones are reported.
 */
export interface DagWish {
  /** Path under the DAG, e.g. `kubernetes.namespace`. */
  readonly path: string;
  readonly value: Doc;
  readonly node: Node;
  /** The task asking, for settings a task may also hold itself. */
  readonly task?: DocMap;
}
