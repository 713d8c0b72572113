import { main, nodeIo } from './main';

void Promise.resolve(main(process.argv.slice(2), nodeIo)).then((code) => {
  process.exitCode = code;
});
