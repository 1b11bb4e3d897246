/** Every `mcc` command, in the order `mcc --help` lists them. */
import type { Command } from '../command';
import { benchCommand } from './bench';
import { createCommand } from './create';
import { demoCommand } from './demo';
import { doctorCommand } from './doctor';
import { fsckCommand } from './fsck';
import { getCommand } from './get';
import { inspectCommand } from './inspect';
import { loadCommand } from './load';
import { mcasGetCommand } from './mcas-get';
import { popCommand } from './pop';
import { pushCommand } from './push';
import { queueCommand } from './queue';
import { setCommand } from './set';

export const COMMANDS: readonly Command[] = [
  demoCommand,
  doctorCommand,
  inspectCommand,
  fsckCommand,
  createCommand,
  pushCommand,
  popCommand,
  getCommand,
  setCommand,
  mcasGetCommand,
  queueCommand,
  benchCommand,
  loadCommand,
];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((command) => command.name === name);
}
