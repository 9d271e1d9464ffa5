/**
 * Whether a saved file's own data (training.data) is still there and unchanged: asked of the host (checkData) when the
 * file or its data spec changes, so reopening a file says when the CSV or image folder changed or moved. A file not
 * saved yet has nothing to resolve a relative path against, and is not checked.
 */
import { useEffect, useState } from 'react';
import type { DataStatus } from '../../../shared/contracts/data';
import type { DataSpec } from '../../../shared/data/dataSpec';
import { getLabApi } from '../api/getLabApi';

export type DataCheck = DataStatus | { readonly status: 'error'; readonly message: string };

export function useDataStatus(filePath: string | undefined, data: DataSpec | undefined): DataCheck | undefined {
  const [check, setCheck] = useState<DataCheck>();
  useEffect(() => {
    setCheck(undefined);
    if (!filePath || !data) return;
    let live = true;
    getLabApi()
      .checkData({ graphFilePath: filePath, data })
      .then((status) => live && setCheck(status))
      .catch((error: unknown) => live && setCheck({ status: 'error', message: error instanceof Error ? error.message : String(error) }));
    return () => {
      live = false;
    };
  }, [filePath, data]);
  return check;
}
