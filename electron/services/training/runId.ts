/**
 * Run ids: one format for every run, whoever starts it (the CLI in-process, or a host through the trainer
 * supervisor). Its own module so the hosts can mint ids without loading tfjs.
 */
let runCounter = 0;

/** `run-<ISO time with - for : and .>-<pid>-<n>`: unique per process, sortable by start time, safe in file names. */
export function newRunId(): string {
  runCounter++;
  return `run-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}-${runCounter}`;
}
