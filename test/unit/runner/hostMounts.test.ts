import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, mkdirSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeDag } from '../../../src/dag/analyze';
import { sensitiveRequests } from '../../../src/runner/consent';
import { unconsented } from '../../../src/runner/hostAccess';
import { resolveHostPath, sensitiveHostPath } from '../../../src/runner/hostMounts';

const judged = (path: string) => sensitiveHostPath(resolveHostPath(path));

describe('host paths are judged as the path they resolve to', () => {
  let dir: string;
  before(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'cdag-hostpaths-')));
    symlinkSync('/', join(dir, 'root-link'));
    symlinkSync('/etc', join(dir, 'etc-link'));
    mkdirSync(join(dir, 'data'));
    symlinkSync(join(dir, 'data'), join(dir, 'data-link'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('normalises dot segments and doubled slashes into the system folder they name', () => {
    assert.equal(resolveHostPath('/tmp/../'), '/');
    assert.equal(resolveHostPath('/tmp/x/../../etc'), '/etc');
    assert.equal(resolveHostPath('//etc'), '/etc');
    assert.equal(resolveHostPath('/./etc'), '/etc');
    assert.equal(resolveHostPath('/etc/.'), '/etc');
    for (const p of ['/tmp/../', '/tmp/x/../../etc', '//etc', '/./etc', '/etc/.', '/var/run/../run/docker.sock'])
      assert.ok(judged(p), `${p} should be sensitive`);
  });

  it('treats /, /etc, /root, /proc, /sys, /boot, /dev, /var and everything under them as sensitive', () => {
    for (const p of [
      '/',
      '/etc',
      '/root/.ssh',
      '/proc/1',
      '/sys/kernel',
      '/boot',
      '/dev/sda',
      '/var',
      '/var/lib/docker',
    ])
      assert.ok(judged(p), p);
    assert.match(judged('/var/run/docker.sock')!, /Docker socket/);
    for (const p of ['/tmp/data', '/home/me/project', '/srv/x', '/etcetera', '/variable'])
      assert.equal(judged(p), undefined, p);
  });

  it('follows symlinks: a link to / or into a system folder is that folder; a link to data stays data', () => {
    assert.equal(resolveHostPath(join(dir, 'root-link')), '/');
    assert.equal(resolveHostPath(join(dir, 'etc-link', 'passwd')), realpathSync('/etc/passwd'));
    assert.ok(judged(join(dir, 'root-link')));
    assert.ok(judged(join(dir, 'etc-link')));
    assert.equal(resolveHostPath(join(dir, 'data-link', 'missing', 'x')), join(dir, 'data', 'missing', 'x'));
    assert.equal(judged(join(dir, 'data-link')), undefined);
  });

  it('judges a templated host path as rendered with the run params, for the whole DAG at once', () => {
    const dag = analyzeDag(`params: {dir: data}
volumes:
  named: {docker: my-volume}
  sock: {docker: /var/run/docker.sock}
tasks:
  a: {image: x, mounts: ['/{{ params.dir }}:/in']}
  b: {image: x, mounts: ['named:/cache', '${dir}/root-link:/host:ro']}
  c: {image: x, mounts: ['sock:/var/run/docker.sock'], network: host}
`).dag!;
    const when = { intervals: [{ start: new Date(0), end: new Date(0) }] };
    const r = sensitiveRequests(dag, 'docker', { ...when, params: { dir: 'tmp/../etc' } });
    assert.deepEqual(
      r.map((x) => `${x.taskId} ${x.kind} ${x.subject}${x.written ? ` <- ${x.written}` : ''}`),
      [
        'a host-path /etc <- /tmp/../etc',
        `b host-path / <- ${dir}/root-link`,
        `c host-path ${resolveHostPath('/var/run/docker.sock')}${resolveHostPath('/var/run/docker.sock') === '/var/run/docker.sock' ? '' : ' <- /var/run/docker.sock'}`,
        'c host-network host',
      ],
    );
    // With its default the templated path is harmless; a named volume is never a host path.
    assert.deepEqual(
      sensitiveRequests(dag, 'docker', { ...when, params: { dir: 'srv/data' } }).map((x) => x.taskId),
      ['b', 'c', 'c'],
    );
    // --allow-host-path takes the path as written or as resolved.
    assert.deepEqual(unconsented(r, ['/etc', `${dir}/root-link`, '/var/run/docker.sock'], true), []);
    assert.deepEqual(
      unconsented(r, ['/etc/'], false).map((x) => x.taskId),
      ['b', 'c', 'c'],
    );
  });

  it('asks for every Kubernetes host_path, resolved, with the reason for system folders', () => {
    const dag = analyzeDag(`volumes:
  logs: {kubernetes: {host_path: /var/log/../log}}
  data: {kubernetes: {host_path: /srv/data}}
tasks:
  a: {image: x, mounts: ['logs:/logs', 'data:/data']}
`).dag!;
    const r = sensitiveRequests(dag, 'kubernetes');
    assert.deepEqual(
      r.map((x) => [x.subject, /system folder \/var/.test(x.why)]),
      [
        [resolveHostPath('/var/log'), true],
        ['/srv/data', false],
      ],
    );
  });
});
