import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { ownerAlive } from '../../../src/runner/owner';

describe('telling a live runner from a dead one', () => {
  it('counts this process, and another host’s runs, as alive; no owner as dead', () => {
    assert.equal(ownerAlive({ pid: process.pid, host: hostname() }), true);
    assert.equal(ownerAlive({ pid: 1, host: 'another-host' }), true);
    assert.equal(ownerAlive(undefined), false);
  });

  it('counts a killed runner as dead even while it lingers unreaped as a zombie', async () => {
    const child = spawn('sleep', ['30']);
    const pid = child.pid!;
    assert.equal(ownerAlive({ pid, host: hostname() }), true);
    // Not reaped yet: Node reaps on 'exit'; SIGKILL makes it a zombie first.
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 50 && ownerAlive({ pid, host: hostname() }); i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(ownerAlive({ pid, host: hostname() }), false);
  });
});
