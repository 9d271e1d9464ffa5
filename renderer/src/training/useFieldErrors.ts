/**
 * The settings fields whose entries are refused right now, by setting, in the order they went wrong: Start training
 * waits on them and names the first. `report` is stable, so fields can call it from their effects.
 */
import { useCallback, useState } from 'react';

export function useFieldErrors(): { errors: readonly string[]; report: (setting: string, error: string | undefined) => void } {
  const [bySetting, setBySetting] = useState<ReadonlyMap<string, string>>(() => new Map());
  const report = useCallback((setting: string, error: string | undefined) => {
    setBySetting((old) => {
      if (old.get(setting) === error) return old;
      const next = new Map(old);
      if (error === undefined) next.delete(setting);
      else next.set(setting, error);
      return next;
    });
  }, []);
  return { errors: [...bySetting.values()], report };
}
