/**
 * Blank or only comments: a file just created, not yet a DAG. A scan line by line, linear in the
 * text (a regular expression with nested repetition backtracks exponentially on `\n \n … x`).
 */
export function isBlank(text: string): boolean {
  for (let i = 0; i < text.length;) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
    else if (c === 0x23 /* # */) {
      const nl = text.indexOf('\n', i);
      if (nl < 0) return true;
      i = nl + 1;
    } else return false;
  }
  return true;
}

/**
 * The starter DAG as a snippet (tab stops for the id and the image): two tasks, one after the other,
 * passing a value, on the busybox image that every machine can pull or build. It starts a week ago,
 * so Run DAG (the last complete interval) has a date to run.
 */
export function starterSnippet(dagId: string): string {
  // `\$` is a literal dollar in snippet syntax ($CDAG_OUTPUT is the container's variable, not the editor's).
  return `dag: \${1:${dagId}}
description: \${2:What this pipeline does}
schedule: "@daily"
start_date: ${new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10)}
tasks:
  extract:
    image: \${3:busybox:1.36}
    # A task hands values on by writing a JSON object to the file named by CDAG_OUTPUT.
    command: [sh, -c, 'echo "{\\"rows\\": 42}" > "\\$CDAG_OUTPUT"; echo extracted for {{ ds }}']
    outputs: [rows]
  report:
    image: \${3:busybox:1.36}
    command: [sh, -c, 'echo "{{ tasks.extract.outputs.rows }} rows on {{ ds }}"']
    depends_on: [extract]
$0`;
}

/** The snippet as plain text (what "New DAG File" writes before the editor opens it). */
export function starterText(dagId: string): string {
  return starterSnippet(dagId)
    .replace(/\$\{\d+:([^}]*)\}/g, '$1')
    .replace(/\$0/g, '')
    .replace(/\\\$/g, '$');
}

/** A DAG id from a file name the user typed: `My Pipeline` → `my_pipeline`. */
export function dagIdFromName(name: string): string {
  const base = name.replace(/\.dag\.ya?ml$/i, '').replace(/\.ya?ml$/i, '');
  return (
    base
      .trim()
      .toLowerCase()
      .replace(/[^a-z0-9_.-]+/g, '_')
      .replace(/^[_.-]+|[_.-]+$/g, '') || 'my_dag'
  );
}
