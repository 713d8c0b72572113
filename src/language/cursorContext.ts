import { LineIndex } from '../dag/lineIndex';

/** Where the cursor is, read from indentation so it works while the line being typed is not valid YAML yet. */
export interface CursorContext {
  /** Keys from the root to the mapping the cursor is in; `*` marks "an item of the list above". */
  readonly path: readonly string[];
  /** `key` when the cursor is after `key:` on its line; undefined when typing a key or a list item. */
  readonly valueKey?: string;
  /** The word being typed and where it starts. */
  readonly prefix: string;
  readonly prefixStart: number;
  /** Inside a `{{ }}`: the expression text before the cursor. */
  readonly template?: string;
  /** Keys already present in the mapping the cursor is in. */
  readonly siblings: ReadonlySet<string>;
}

interface LineShape {
  /** Column of the `-` of a list item. */
  readonly dash?: number;
  /** Column where the key (or the item's content) starts. */
  readonly content: number;
  readonly key?: string;
}

const LINE = /^(\s*)(-\s+)?(?:(["']?)([A-Za-z0-9_.\-/ ]*?)\3\s*:(?=\s|$))?/;

function shape(text: string): LineShape | undefined {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return undefined;
  const m = LINE.exec(text)!;
  const lead = m[1]!.length;
  const dash = m[2] ? lead : undefined;
  const content = lead + (m[2]?.length ?? 0);
  return { ...(dash !== undefined ? { dash } : {}), content, ...(m[4] ? { key: m[4] } : {}) };
}

export function cursorContext(text: string, offset: number, index = new LineIndex(text)): CursorContext {
  const pos = index.positionAt(offset);
  const before = index.lineText(pos.line).slice(0, pos.character);
  const open = before.lastIndexOf('{{');
  const template = open >= 0 && before.indexOf('}}', open) < 0 ? before.slice(open + 2) : undefined;
  const prefix = /[A-Za-z0-9_.@-]*$/.exec(before)![0];

  const cur = /^(\s*)(-\s+)?(?:([A-Za-z0-9_.-]+)\s*:\s+)?/.exec(before)!;
  const curDash = cur[2] ? cur[1]!.length : undefined;
  const curContent = cur[1]!.length + (cur[2]?.length ?? 0);
  const valueKey = cur[3];
  const path: string[] = [];
  // A plain `- item` line is an item of the list whose key sits above, left of the dash.
  let limit = curDash !== undefined && !valueKey ? curDash : curContent;
  if (curDash !== undefined && valueKey !== undefined) {
    // `- key: v`: the mapping is a list item; its list's key is left of the dash.
    path.unshift('*');
    limit = curDash;
  } else if (curDash !== undefined) {
    path.unshift('*');
  }
  for (let l = pos.line - 1; l >= 0 && limit > 0; l--) {
    const s = shape(index.lineText(l));
    if (!s) continue;
    if (s.dash !== undefined && s.dash < limit && s.content >= limit) {
      // A sibling key in the same list-item mapping: `- key: a` above `  other: |`.
      path.unshift('*');
      limit = s.dash;
    } else if (s.content < limit && s.key) {
      path.unshift(s.key);
      if (s.dash !== undefined) path.unshift('*');
      limit = s.dash ?? s.content;
    } else if (s.content < limit) {
      limit = s.content;
    }
  }
  return {
    path,
    ...(valueKey ? { valueKey } : {}),
    prefix,
    prefixStart: offset - prefix.length,
    ...(template !== undefined ? { template } : {}),
    siblings: siblingKeys(index, pos.line, curContent),
  };
}

/** Keys at the same indentation in the same block, above and below the cursor line. */
function siblingKeys(index: LineIndex, line: number, indent: number): Set<string> {
  const keys = new Set<string>();
  for (const dir of [-1, 1]) {
    for (let l = line + dir; l >= 0 && l < index.lineCount; l += dir) {
      const s = shape(index.lineText(l));
      if (!s) continue;
      if (s.content < indent) break;
      if (s.content === indent && s.key && s.dash === undefined) keys.add(s.key);
      if (dir === -1 && s.dash !== undefined && s.content === indent && s.key) {
        keys.add(s.key);
        break;
      }
    }
  }
  return keys;
}
