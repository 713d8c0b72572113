import type { Spec } from '../dag/schema';

const FORMATS: Readonly<Record<string, string>> = {
  duration: 'duration (30s, 5m, 1h)',
  date: 'date (YYYY-MM-DD)',
  schedule: 'schedule (cron or @daily)',
  image: 'image reference',
  mount: 'mount (SOURCE:/path[:ro])',
  cpu: 'CPU quantity (500m, 2)',
  memory: 'memory quantity (256Mi)',
};

/** What a key takes, in the user's words: the schema's kind names (`stringOrList`) are ours, not theirs. */
export function kindLabel(spec: Spec): string {
  switch (spec.kind) {
    case 'string':
      if (spec.enum) return spec.enum.join(' | ');
      return (spec.format && FORMATS[spec.format]) || 'text';
    case 'integer':
      return 'whole number';
    case 'number':
      return 'number';
    case 'boolean':
      return 'true | false';
    case 'stringOrList':
      return 'text or list';
    case 'listOrTemplate':
      return 'list, or a template giving one';
    case 'list':
      return 'list';
    case 'object':
    case 'map':
      return 'mapping';
    case 'any':
      return spec.model ? `Kubernetes ${spec.model.replace(/^V1/, '')}` : 'any value';
  }
}

/** A command or args list as written in YAML flow style: `["sh", "-c", "echo hi"]`. */
export function quotedList(items: readonly string[]): string {
  return `[${items.map((s) => JSON.stringify(s)).join(', ')}]`;
}

/** Markdown inline code that survives backticks inside the text. */
export function inlineCode(text: string): string {
  const fence = text.includes('`') ? '``' : '`';
  return `${fence}${text.startsWith('`') ? ' ' : ''}${text}${text.endsWith('`') ? ' ' : ''}${fence}`;
}
