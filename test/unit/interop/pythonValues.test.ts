import assert from 'node:assert/strict';
import type { Node } from 'web-tree-sitter';
import { parsePython } from '../../../src/interop/python/parser';
import { evaluate, Scope, type PyValue } from '../../../src/interop/python/values';

/** Evaluates the right-hand side of the last line, after the lines before it bound their names. */
async function value(source: string): Promise<PyValue> {
  const tree = await parsePython(source);
  assert.ok(tree.succeeded);
  const scope = new Scope();
  const statements = tree.result.rootNode.namedChildren.filter((c): c is Node => !!c);
  let last: PyValue | undefined;
  for (const s of statements) {
    if (s.type === 'import_statement' || s.type === 'import_from_statement') {
      for (const c of s.namedChildren) {
        if (c?.type === 'aliased_import')
          scope.imports.set(c.childForFieldName('alias')!.text, c.childForFieldName('name')!.text);
        else if (c?.type === 'dotted_name' && s.type === 'import_statement') scope.imports.set(c.text, c.text);
      }
      continue;
    }
    const a = s.namedChildren[0]!;
    const right = a.type === 'assignment' ? a.childForFieldName('right')! : a;
    last = evaluate(right, scope);
    if (a.type === 'assignment') scope.values.set(a.childForFieldName('left')!.text, last);
  }
  return last!;
}

function plain(v: PyValue): unknown {
  switch (v.kind) {
    case 'str':
    case 'num':
    case 'bool':
      return v.value;
    case 'none':
      return null;
    case 'list':
      return v.items.map(plain);
    case 'dict':
      return Object.fromEntries(v.entries.map((e) => [plain(e.key), plain(e.value)]));
    case 'env':
      return { env: v.name, fallback: v.fallback && plain(v.fallback) };
    case 'concat':
      return { concat: v.parts.map(plain) };
    case 'call':
      return {
        call: v.callee,
        args: v.args.map(plain),
        kwargs: Object.fromEntries([...v.kwargs].map(([k, x]) => [k, plain(x)])),
      };
    case 'ref':
      return { ref: v.name };
    case 'unknown':
      return { unknown: v.why };
  }
}

describe('Python values of a DAG file, read without running it', () => {
  it('decodes string escapes, raw strings, adjacent literals and f-string braces as Python does', async () => {
    assert.equal(plain(await value(String.raw`x = "a\tb\\c\x41\u00e9" 'd'`)), 'a\tb\\cAéd');
    assert.equal(plain(await value(String.raw`x = r"\d+\n"`)), String.raw`\d+\n`);
    assert.equal(plain(await value('N = 3\nx = f"/data/{N}/{{ds}}.json"')), '/data/3/{ds}.json');
  });

  it('follows module constants, subscripts, arithmetic and list concatenation', async () => {
    assert.equal(plain(await value('BASE = "/data"\nx = BASE + "/ratings"')), '/data/ratings');
    assert.equal(plain(await value('T = 60 * 10\nx = T')), 600);
    assert.deepEqual(plain(await value('A = ["a"]\nx = A + ["b", -1]')), ['a', 'b', -1]);
    assert.equal(plain(await value('C = {"k": "v"}\nx = C["k"]')), 'v');
    assert.deepEqual(plain(await value('x = dict(a=1, b="c")')), { a: 1, b: 'c' });
  });

  it('reads os.environ[...], os.environ.get and os.getenv as environment reads, also inside strings', async () => {
    assert.deepEqual(plain(await value('import os\nx = os.environ["USER"]')), { env: 'USER', fallback: undefined });
    assert.deepEqual(plain(await value('import os\nx = os.environ.get("H", "h")')), { env: 'H', fallback: 'h' });
    assert.deepEqual(plain(await value('import os\nx = os.getenv("H")')), { env: 'H', fallback: undefined });
    assert.deepEqual(plain(await value('import os\nx = "--user=" + os.environ["U"] + "!"')), {
      concat: ['--user=', { env: 'U', fallback: undefined }, '!'],
    });
  });

  it('keeps calls symbolic with their qualified names, and kwargs from a ** splat', async () => {
    const v = plain(await value('import datetime as dt\nD = {"minutes": 5}\nx = dt.timedelta(**D, seconds=1)'));
    assert.deepEqual(v, { call: 'datetime.timedelta', args: [], kwargs: { seconds: 1, minutes: 5 } });
  });

  it('says why a computed value is unknown instead of guessing', async () => {
    assert.deepEqual(plain(await value('x = [i for i in range(3)]')), { unknown: 'a list comprehension' });
    assert.deepEqual(plain(await value('x = "a" if True else "b"')), { unknown: 'a conditional expression' });
    assert.deepEqual(plain(await value('x = "%s" % 3')), { unknown: 'a computed value (%)' });
  });
});
