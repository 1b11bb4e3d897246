/** `mcc bench …`: runs the benchmarks of tools/bench. */
import { toolCommand } from './tool-command';

export const benchCommand = toolCommand(
  'bench',
  'bench',
  'run the benchmarks of tools/bench (mcc bench --help lists the suites)',
  'Runs the benchmarks of tools/bench (@mcc/bench) against fresh memcached\nservers, or the ones named by its --servers.',
  ['mcc bench protocol', 'mcc bench protocol --seconds 5 --json > out.json'],
);
