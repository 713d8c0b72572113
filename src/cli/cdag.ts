import { main } from './main';
import { nodeIo } from './nodeIo';
import { reportInternalError } from './internalError';

// A closed terminal (SIGHUP) or a closed pipe makes writes fail with EPIO/EPIPE: an unhandled
// 'error' event would crash the process in the middle of removing containers.
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);
process.on('uncaughtException', (e) => {
  reportInternalError(e, nodeIo);
  process.exit(70);
});
process.on('unhandledRejection', (e) => {
  reportInternalError(e, nodeIo);
  process.exit(70);
});

void Promise.resolve()
  .then(() => main(process.argv.slice(2), nodeIo))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      reportInternalError(e, nodeIo);
      process.exitCode = 70;
    },
  );
