/**
 * The trainer's side of its message channel, kept abstract so one entry serves both a Node child process
 * (`child_process.fork`: process.send / process.on('message')) and Electron's utilityProcess (process.parentPort).
 */
export interface TrainerPort {
  post(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
}

interface ParentPortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

/** The port of the current process, or undefined when it was not started as a trainer child. */
export function currentProcessPort(): TrainerPort | undefined {
  const parentPort = (process as unknown as { parentPort?: ParentPortLike }).parentPort;
  if (parentPort) {
    return {
      post: (message) => parentPort.postMessage(message),
      onMessage: (listener) => parentPort.on('message', (event) => listener(event.data)),
    };
  }
  const send = process.send?.bind(process);
  if (send) {
    return {
      post: (message) => {
        send(message);
      },
      onMessage: (listener) => {
        process.on('message', listener);
      },
    };
  }
  return undefined;
}
