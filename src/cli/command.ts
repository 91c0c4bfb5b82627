/** One CLI command per file in src/cli/commands; main.ts dispatches. */
export interface CliIO {
  stdout: { write(s: string | Uint8Array): unknown; isTTY?: boolean };
  stderr: { write(s: string | Uint8Array): unknown; isTTY?: boolean };
  stdin: NodeJS.ReadableStream;
  env: Record<string, string | undefined>;
}

export interface Command {
  /** Words that select it, e.g. ['container', 'create'] or ['diff']. */
  readonly name: string[];
  /** One line for `layerfs help`. */
  readonly summary: string;
  /** Usage line(s) shown by `layerfs help NAME` and on usage errors. */
  readonly usage: string;
  /** Returns the exit code. Throw LayerfsError for user-caused failures. */
  run(args: string[], io: CliIO): Promise<number>;
}

/** Thrown for bad command-line usage; main prints the usage and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
