import { validateCommand } from './commands/validate';
import { graphCommand } from './commands/graph';
import { renderCommand } from './commands/render';
import { EXIT, type Io } from './io';
import { USAGE } from './usage';

export { EXIT, type Io } from './io';
export { nodeIo } from './nodeIo';

type Command = (args: readonly string[], io: Io) => number | Promise<number>;

/**
 * Command name → command. The commands that start containers or parse Python load on first use
 * (with them Docker's, Kubernetes' and the interop bundles); validating needs none of that.
 */
const COMMANDS: ReadonlyMap<string, () => Command | Promise<Command>> = new Map<
  string,
  () => Command | Promise<Command>
>([
  ['validate', () => validateCommand],
  ['graph', () => graphCommand],
  ['render', () => renderCommand],
  ['run', async () => (await import('./commands/run')).runCommand],
  ['build', async () => (await import('./commands/build')).buildCommand],
  ['pods', async () => (await import('./commands/pods')).podsCommand],
  ['diff', async () => (await import('./commands/diff')).diffCommand],
  ['import', async () => (await import('./commands/import')).importCommand],
  ['export', async () => (await import('./commands/export')).exportCommand],
]);

/** Runs one command line; the exit code is returned, never set here (see `cdag.ts`). */
export function main(argv: readonly string[], io: Io): number | Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-v') {
    io.out(`${VERSION}\n`);
    return EXIT.ok;
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    io.out(`${USAGE}\n`);
    return EXIT.ok;
  }
  const load = command ? COMMANDS.get(command) : undefined;
  if (!load) {
    io.err(`${command ? `Unknown command "${command}".` : 'No command given.'}\n${USAGE}\n`);
    return EXIT.usage;
  }
  try {
    const loaded = load();
    if (typeof loaded === 'function') {
      const code = loaded(rest, io);
      return typeof code === 'number' ? code : code.catch((e: unknown) => usageOrThrow(e, io));
    }
    return loaded.then((c) => c(rest, io)).catch((e: unknown) => usageOrThrow(e, io));
  } catch (e) {
    return usageOrThrow(e, io);
  }
}

/** parseArgs reports unknown options by throwing: those are usage errors; anything else is a bug. */
function usageOrThrow(e: unknown, io: Io): number {
  if (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS')) {
    io.err(`${e.message}\n${USAGE}\n`);
    return EXIT.usage;
  }
  throw e;
}

declare const __VERSION__: string | undefined;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : 'dev';
