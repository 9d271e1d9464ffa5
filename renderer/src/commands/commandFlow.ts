/**
 * The React Flow viewport the view commands (zoom, fit) act on. The flow instance exists only inside its provider, so
 * the workbench hands it over once (`useCommandFlow`); commands run from anywhere then reach it here.
 */
import { useEffect } from 'react';
import { useReactFlow } from '@xyflow/react';

export interface CommandFlow {
  zoomIn(options?: { duration?: number }): unknown;
  zoomOut(options?: { duration?: number }): unknown;
  fitView(options?: { padding?: number; duration?: number }): unknown;
}

let current: CommandFlow | undefined;

export function getCommandFlow(): CommandFlow | undefined {
  return current;
}

export function setCommandFlow(flow: CommandFlow | undefined): void {
  current = flow;
}

/** Call once inside the React Flow provider. */
export function useCommandFlow(): void {
  const flow = useReactFlow();
  useEffect(() => {
    setCommandFlow(flow);
    return () => {
      if (current === flow) setCommandFlow(undefined);
    };
  }, [flow]);
}
