/** `npm run bosun -- <group> <command> …`: Bosun's operator commands. */
import { runProjectionsCli } from './projections';

const groups: Record<string, (argv: string[]) => Promise<number>> = {
  projections: (argv) =>
    runProjectionsCli(argv, {
      out: (t) => process.stdout.write(t),
      err: (t) => process.stderr.write(t),
      tty: Boolean(process.stdout.isTTY),
    }),
};

const [group, ...rest] = process.argv.slice(2);
const run = group ? groups[group] : undefined;
if (!run) {
  process.stderr.write(`usage: npm run bosun -- <${Object.keys(groups).join('|')}> …\n`);
  process.exit(2);
}
process.exit(await run(rest));
