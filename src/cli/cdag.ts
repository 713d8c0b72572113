import { main, nodeIo } from './main';

process.exitCode = main(process.argv.slice(2), nodeIo);
