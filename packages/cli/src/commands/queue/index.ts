/** The subcommands of `mcc queue`, in the order `mcc queue --help` lists them. */
import type { Command } from '../../command';
import { queueCreateCommand } from './create';
import { queueDeadCommand } from './dead';
import { queuePushCommand } from './push';
import { queueRedriveCommand } from './redrive';
import { queueStatsCommand } from './stats';

export const QUEUE_SUBCOMMANDS: readonly Command[] = [queueCreateCommand, queuePushCommand, queueStatsCommand, queueDeadCommand, queueRedriveCommand];
