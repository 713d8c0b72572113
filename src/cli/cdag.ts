import { main, nodeIo } from './main';
import { reportInternalError } from './internalError';

// A closed terminal (SIGHUP) or a closed pipe makes writes fail with EPIO/EPIPE: an unhandled
// 'error' event would crash the process in the middle of removing containers.
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);
process.on('uncaughtException', (e) => {
  reportInternalError(e);
  process.exit(70);
});
process.on('unhandledRejection', (e) => {
  reportInternalError(e);
  process.exit(70);
});

void Promise.resolve()
  .then(() => main(process.argv.slice(2), nodeIo))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      reportInternalError(e);
      process.exitCode = 70;
    },
  );
