/** The shape of one `mcc` subcommand (one file per command in commands/). */
export interface Command {
  /** What the user types: `mcc <name>`. */
  readonly name: string;
  /** One line for `mcc --help`. */
  readonly summary: string;
  /** The full text of `mcc <name> --help`. */
  readonly usage: string;
  /**
   * Runs the command with the arguments after its name; resolves to the exit
   * code (see EXIT_CODES). Errors it throws are printed with their code and a
   * fix by bin.ts.
   */
  run(argv: readonly string[]): Promise<number>;
}
