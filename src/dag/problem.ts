/** Offsets into the document text (UTF-16 code units, as JavaScript strings count them). */
export interface OffsetRange {
  readonly start: number;
  readonly end: number;
}

export type Severity = 'error' | 'warning' | 'info' | 'hint';

/** A text edit that resolves a problem; offered as a quick fix in the editor. */
export interface Fix {
  readonly title: string;
  readonly range: OffsetRange;
  readonly newText: string;
}

/**
 * A problem is data, never an exception: the CLI prints it, the editor shows it.
 * `code` is stable (documented in docs/dag-format.md); `message` says what is wrong and what is allowed.
 */
export interface Problem {
  readonly code: ProblemCode;
  readonly severity: Severity;
  readonly message: string;
  readonly range: OffsetRange;
  readonly fixes?: readonly Fix[];
  /** Marks deprecated usage so editors can strike it through. */
  readonly deprecated?: boolean;
}

export type ProblemCode =
  // YAML and limits
  | 'yaml-syntax'
  | 'yaml-version'
  | 'yaml-tag'
  | 'yaml-alias-limit'
  | 'duplicate-key'
  | 'file-too-large'
  | 'invalid-encoding'
  | 'nul-character'
  | 'nesting-too-deep'
  | 'not-a-map'
  | 'multiple-documents'
  // schema
  | 'unknown-key'
  | 'missing-key'
  | 'wrong-type'
  | 'coerced-scalar'
  | 'invalid-value'
  | 'invalid-pattern'
  // semantics
  | 'unknown-task'
  | 'self-dependency'
  | 'duplicate-dependency'
  | 'cycle'
  | 'unknown-volume'
  | 'volume-source-missing'
  | 'not-portable'
  | 'ignored-on-backend'
  | 'invalid-mount'
  | 'invalid-duration'
  | 'invalid-quantity'
  | 'invalid-schedule'
  | 'invalid-date'
  | 'end-before-start'
  | 'missing-start-date'
  | 'invalid-name'
  | 'invalid-image'
  | 'env-secret-clash'
  | 'template-syntax'
  | 'template-unknown-name'
  | 'template-unknown-filter'
  | 'template-filter-args'
  | 'template-filter-type'
  | 'unknown-output'
  | 'output-not-upstream'
  | 'unknown-item'
  | 'expand-too-large'
  | 'expand-not-list'
  | 'when-never-true'
  | 'template-deprecated'
  | 'template-not-rendered'
  | 'group-task-clash'
  | 'empty-group'
  | 'group-self-dependency'
  | 'unknown-service'
  | 'service-not-ready'
  | 'port-clash'
  // Image builds
  | 'build-pull-always'
  | 'build-templated-image'
  | 'unused-image'
  | 'build-context-missing'
  | 'build-dockerfile-missing';

export function problem(
  code: ProblemCode,
  severity: Severity,
  message: string,
  range: OffsetRange,
  extra: { fixes?: Fix[]; deprecated?: boolean } = {},
): Problem {
  return { code, severity, message, range, ...extra };
}
