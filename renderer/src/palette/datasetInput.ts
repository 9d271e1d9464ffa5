/**
 * A new Input brick takes the shape of the dataset the training config names (MNIST → image 28×28×1, spirals →
 * vector 2). The dataset catalog lives on the Node side; it is asked for once through the LabApi and remembered here,
 * so adding a layer stays synchronous.
 */
import type { DatasetInfo } from '../../../shared/contracts/trainer';
import type { Params } from '../../../shared/document/model';
import { getLabApi } from '../api/getLabApi';

let known: readonly DatasetInfo[] = [];
let loading: Promise<void> | undefined;

/** Asks the LabApi for the datasets once (the palette calls this when it mounts); a failure is retried next time. */
export function loadDatasetCatalog(): Promise<void> {
  loading ??= Promise.resolve()
    .then(() => getLabApi().listDatasets())
    .then((list) => rememberDatasets(list))
    .catch((error: unknown) => {
      loading = undefined;
      console.warn('Could not list datasets for new Input bricks:', error);
    });
  return loading;
}

export function rememberDatasets(list: readonly DatasetInfo[]): void {
  known = list;
}

/** Input params that give exactly the dataset's per-sample shape, or undefined when no Input kind matches it. */
export function inputParamsFor(info: Pick<DatasetInfo, 'inputKind' | 'inputShape'>): Params | undefined {
  const shape = info.inputShape;
  if (info.inputKind === 'image' && shape.length === 3) {
    return { kind: 'image', height: shape[0]!, width: shape[1]!, channels: shape[2]! };
  }
  if (info.inputKind === 'vector' && shape.length === 1) return { kind: 'vector', size: shape[0]! };
  return undefined;
}

/**
 * Params for a new Input when training uses `datasetId`; undefined (the catalog defaults) with no dataset chosen or
 * while the catalog has not arrived yet.
 */
export function inputParamsForDataset(datasetId: string | undefined): Params | undefined {
  if (datasetId === undefined) return undefined;
  const info = known.find((d) => d.id === datasetId);
  if (!info) {
    void loadDatasetCatalog();
    return undefined;
  }
  return inputParamsFor(info);
}
