// One of two processes racing for a run lock (test/unit/runner/runStore.test.ts): waits until the
// given moment, tries the lock, prints what it got, and holds a won lock a while before leaving.
import { RunStore } from '../../src/runner/runStore';

const [root, startAt, runId] = process.argv.slice(2) as [string, string, string];
while (Date.now() < Number(startAt)) {
  // Spin: both contenders leave this loop within a millisecond of each other.
}
const lock = new RunStore(root).lock('dag', '2024-01-01T00:00:00+00:00', runId);
process.stdout.write(
  JSON.stringify(
    lock.acquired ? { won: runId } : 'holder' in lock ? { held: lock.holder } : { error: lock.error.code },
  ),
);
setTimeout(() => {
  if (lock.acquired) lock.release();
}, 1500);
