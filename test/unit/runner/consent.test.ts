import assert from 'node:assert/strict';
import { analyzeDag } from '../../../src/dag/analyze';
import { sensitiveRequests } from '../../../src/runner/consent';
import { describeRequests } from '../../../src/runner/hostAccess';
import { resolveHostPath } from '../../../src/runner/hostMounts';

const dagOf = (yaml: string) => {
  const a = analyzeDag(yaml);
  return a.dag!;
};

describe('consent for host access', () => {
  it('asks for the Docker socket, the host root and host networking, naming tasks and reasons', () => {
    const dag = dagOf(`volumes:
  sock: {docker: /var/run/docker.sock}
  data: {docker: /tmp/cdag-data}
tasks:
  a: {image: x, mounts: ['sock:/var/run/docker.sock', 'data:/data']}
  b: {image: x, mounts: ['/:/host:ro'], network: host}
`);
    const r = sensitiveRequests(dag);
    assert.deepEqual(
      r.map((x) => [x.taskId, x.kind, x.subject]),
      [
        ['a', 'host-path', resolveHostPath('/var/run/docker.sock')],
        ['b', 'host-path', '/'],
        ['b', 'host-network', 'host'],
      ],
    );
    const text = describeRequests(r);
    assert.match(text, /a mount \S*\/docker.sock.*: the Docker socket/);
    assert.match(text, /b ask for the host’s network/);
  });

  it('asks nothing for ordinary data folders, named volumes and user networks', () => {
    const dag = dagOf(`docker: {network: movielens}
volumes:
  data: {docker: /tmp/airflow/data}
  cache: {docker: cache-volume}
tasks:
  a: {image: x, mounts: ['data:/data', 'cache:/cache']}
`);
    assert.deepEqual(sensitiveRequests(dag), []);
  });
});
