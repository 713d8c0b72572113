import assert from 'node:assert/strict';
import { graphHtml } from '../../../../src/extension/graph/graphHtml';
import { MAX_MESSAGE_CHARS, parsePageMessage } from '../../../../src/extension/graph/guards';

const input = {
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js',
  workerUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/graphWorker.js',
  cspSource: 'https://*.vscode-cdn.net',
  title: 'Graph: <x>.dag.yaml',
};

describe('graph page HTML', () => {
  it('has exactly one CSP meta with default-src none, and every script carries the nonce', () => {
    const html = graphHtml(input);
    const metas = html.match(/http-equiv="Content-Security-Policy"/g) ?? [];
    assert.equal(metas.length, 1);
    const csp = /content="([^"]+)"/.exec(html.slice(html.indexOf('Content-Security-Policy')))![1]!;
    assert.match(csp, /^default-src 'none';/);
    const nonce = /'nonce-([A-Za-z0-9]+)'/.exec(csp)![1]!;
    const scripts = html.match(/<script[^>]*>/g) ?? [];
    assert.ok(scripts.length >= 1);
    for (const s of scripts) assert.ok(s.includes(`nonce="${nonce}"`), s);
    assert.ok(!/\son[a-z]+=/.test(html), 'no inline event handlers');
    assert.ok(!csp.includes("'unsafe-inline'") && !csp.includes("'unsafe-eval'"));
    // The only worker is the layout worker, started from a blob of the bundle's own code.
    assert.match(csp, /worker-src blob:/);
  });

  it('makes a fresh nonce for every render', () => {
    const nonceOf = (h: string) => /'nonce-([A-Za-z0-9]+)'/.exec(h)![1];
    assert.notEqual(nonceOf(graphHtml(input)), nonceOf(graphHtml(input)));
  });

  it('escapes the title instead of interpolating markup', () => {
    assert.ok(graphHtml(input).includes('<title>Graph: &lt;x&gt;.dag.yaml</title>'));
  });
});

describe('messages from the graph page', () => {
  const known = new Set(['fetch', '<img src=x onerror=alert(1)>']);

  it('accepts a service log request only for a service the DAG has', () => {
    const services = new Set(['db']);
    assert.deepEqual(
      parsePageMessage({ type: 'showServiceLog', service: 'db' }, known, new Set(), new Set(), services),
      {
        type: 'showServiceLog',
        service: 'db',
      },
    );
    assert.equal(
      parsePageMessage({ type: 'showServiceLog', service: 'web' }, known, new Set(), new Set(), services),
      undefined,
    );
    assert.equal(
      parsePageMessage({ type: 'showServiceLog', service: 'db', extra: 1 }, known, new Set(), new Set(), services),
      undefined,
    );
  });

  it('accepts ready and a reveal of a task the DAG has', () => {
    assert.deepEqual(parsePageMessage({ type: 'ready' }, known), { type: 'ready' });
    assert.deepEqual(parsePageMessage({ type: 'reveal', taskId: 'fetch' }, known), { type: 'reveal', taskId: 'fetch' });
  });

  it('accepts runs, re-runs and log requests only for known tasks, valid dates and known backends', () => {
    assert.deepEqual(parsePageMessage({ type: 'run', date: '2019-01-01', backend: 'docker' }, known), {
      type: 'run',
      date: '2019-01-01',
      backend: 'docker',
    });
    assert.deepEqual(
      parsePageMessage({ type: 'rerunFrom', taskId: 'fetch', date: '2019-01-01', backend: 'docker' }, known),
      { type: 'rerunFrom', taskId: 'fetch', date: '2019-01-01', backend: 'docker' },
    );
    assert.deepEqual(parsePageMessage({ type: 'showHistory' }, known), { type: 'showHistory' });
    assert.equal(parsePageMessage({ type: 'showHistory', uri: 'file:///etc/passwd' }, known), undefined);
    // An hourly DAG's toolbar offers a UTC date-time.
    assert.deepEqual(parsePageMessage({ type: 'run', date: '2019-01-01T06:00:00Z', backend: 'docker' }, known), {
      type: 'run',
      date: '2019-01-01T06:00:00Z',
      backend: 'docker',
    });
    assert.deepEqual(parsePageMessage({ type: 'showLog', taskId: 'fetch' }, known), {
      type: 'showLog',
      taskId: 'fetch',
    });
    for (const bad of [
      { type: 'run', date: '2019-13-45', backend: 'docker' },
      { type: 'run', date: '2019-01-01; rm -rf /', backend: 'docker' },
      { type: 'run', date: '2019-01-01T06:00:00+99:00', backend: 'docker' },
      { type: 'run', date: '2019-01-01', backend: 'ssh' },
      { type: 'runTask', taskId: 'other', date: '2019-01-01', backend: 'docker' },
      { type: 'showLog', taskId: 'fetch', path: '/etc/passwd' },
      { type: 'direction', direction: 'LEFT' },
    ]) {
      assert.equal(parsePageMessage(bad, known), undefined, JSON.stringify(bad));
    }
  });

  it('drops unknown types, unknown tasks, extra fields, wrong shapes and oversize payloads', () => {
    for (const bad of [
      { type: 'run', image: 'evil/image' },
      { type: 'reveal', taskId: 'not-in-dag' },
      { type: 'reveal', taskId: 'fetch', command: 'rm -rf /' },
      { type: 'reveal', taskId: 42 },
      { type: 'ready', x: 'x'.repeat(MAX_MESSAGE_CHARS) },
      'reveal',
      null,
      [{ type: 'ready' }],
    ]) {
      assert.equal(parsePageMessage(bad, known), undefined, JSON.stringify(bad)?.slice(0, 60));
    }
  });
});

describe('messages about instances of mapped tasks', () => {
  const known = new Set(['fetch', 'plain']);
  const mapped = new Set(['fetch']);
  const msg = (taskId: string) => ({ type: 'showLog', taskId });

  it('accepts an instance of a mapped task the DAG has, within the expand bound', () => {
    assert.deepEqual(parsePageMessage(msg('fetch[3]'), known, mapped), { type: 'showLog', taskId: 'fetch[3]' });
    assert.ok(
      parsePageMessage({ type: 'rerunFrom', taskId: 'fetch[0]', date: '2024-01-01', backend: 'docker' }, known, mapped),
    );
  });

  it('drops instances of unmapped or unknown tasks, and indexes past 1,024 instances', () => {
    for (const id of ['plain[0]', 'other[1]', 'fetch[1024]', 'fetch[-1]', 'fetch[x]', 'fetch[]'])
      assert.equal(parsePageMessage(msg(id), known, mapped), undefined, id);
  });
});
