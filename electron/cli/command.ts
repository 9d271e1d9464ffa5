/**
 * What a CLI command module provides. Commands never call process.exit and never write to process.stdout
 * directly: they write through `ctx.io` and report their exit code with `ctx.setExitCode`, so tests can run
 * `main()` in-process and read the output.
 */
import type { Command } from 'commander';

export interface CliWriter {
  write(text: string): unknown;
}

export interface CliIo {
  readonly stdout: CliWriter;
  readonly stderr: CliWriter;
}

export interface CliContext {
  readonly io: CliIo;
  /** The exit code is the highest any command step reported (0 = success). */
  setExitCode(code: number): void;
}

export interface CliCommand {
  /** Adds the command (with its options and action) to `program`. */
  register(program: Command, ctx: CliContext): void;
}

/** Exit codes shared by the commands. */
export const EXIT = {
  ok: 0,
  /** The graph has errors (or `diff` found differences). */
  problems: 1,
  /** The input could not be checked: not a graph file, unreadable, too new, or bad usage. */
  unusable: 2,
  /** A bug: an exception escaped a command. */
  internal: 70,
} as const;
