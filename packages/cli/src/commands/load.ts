/** `mcc load …`: runs the load tests of tools/load. */
import { toolCommand } from './tool-command';

export const loadCommand = toolCommand(
  'load',
  'load',
  'run the load tests of tools/load (mcc load --help lists them)',
  'Runs the multi-process load tests of tools/load (@mcc/load): producers and\nconsumers on deques, transfers with MCAS, with their invariants checked.',
  ['mcc load --help'],
);
