/** `mcc bench …` and `mcc load …`: pass-through commands for the workspace's benchmark and load-test tools. */
import { EXIT_CODES } from '../cli-error';
import type { Command } from '../command';
import { note, print } from '../output';
import { runTool, toolEntry } from '../tool-runner';

/** A command that runs tools/<tool> with every argument after its name. */
export function toolCommand(name: string, tool: string, summary: string, description: string, examples: readonly string[]): Command {
  const usage = `Usage: mcc ${name} [arguments of ${tool}...]\n\n${description}\nEvery argument is passed on; \`mcc ${name} --help\` shows the tool's own help.\n\nExamples:\n${examples.map((example) => `  ${example}`).join('\n')}\n`;
  return {
    name,
    summary,
    usage,
    async run(argv) {
      let entry: string;
      try {
        entry = toolEntry(tool);
      } catch (error) {
        if (argv.includes('--help') || argv.includes('-h')) {
          print(usage);
          note((error as Error).message);
          return EXIT_CODES.ok;
        }
        throw error;
      }
      if (argv.includes('--help') || argv.includes('-h')) print(`mcc ${name} runs tools/${tool} (${entry}):\n`);
      return runTool(entry, argv);
    },
  };
}
