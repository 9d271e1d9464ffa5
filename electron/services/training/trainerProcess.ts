/**
 * Entry of the trainer child process. Start it with
 *   fork(entry, { execArgv: ['--import', 'tsx'], serialization: 'advanced' })
 * (or as an Electron utilityProcess); it then serves the trainer contract on its parent channel.
 */
import { serveTrainer } from './serveTrainer';
import { currentProcessPort } from './trainerPort';

const port = currentProcessPort();
if (!port) {
  console.error('trainerProcess must be started by a host (child_process.fork or utilityProcess), not run directly.');
  process.exit(2);
}
serveTrainer(port);
// A fork()ed trainer whose host went away (crash, kill) must not linger and hold memory.
process.on('disconnect', () => process.exit(0));
