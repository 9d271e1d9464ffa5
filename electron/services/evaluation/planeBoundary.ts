/**
 * The decision boundary of a model on a 2-D dataset: one grid over the whole dataset's extent (train and test, so the
 * live boundary during training and the finished run's evaluation cover the same plane), one batched predict.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { BOUNDARY_RESOLUTION, type DecisionBoundary } from '../../../shared/contracts/evaluation';
import { dataExtent, decisionBoundaryGrid, type DecisionBoundaryGrid } from '../../../shared/evaluation';
import type { DataInfo, LoadedDataset } from '../datasets/loadDataset';
import { predictBatched } from './predictBatched';

/** Whether the dataset's samples are points of a plane (two features), so a boundary can be drawn. */
export function isPlaneDataset(data: LoadedDataset<DataInfo>): boolean {
  return data.info.inputShape.length === 1 && data.info.inputShape[0] === 2;
}

/** The grid for `data`, or undefined when its samples are not 2-D points. */
export function planeGridFor(data: LoadedDataset<DataInfo>, resolution = BOUNDARY_RESOLUTION): DecisionBoundaryGrid | undefined {
  if (!isPlaneDataset(data)) return undefined;
  const all = new Float32Array(data.train.x.length + data.test.x.length);
  all.set(data.train.x);
  all.set(data.test.x, data.train.x.length);
  return decisionBoundaryGrid(all, { extent: dataExtent(all), resolution });
}

/** The model's outputs over the grid, as plain data for a message. */
export function predictBoundary(model: tfl.LayersModel, grid: DecisionBoundaryGrid): DecisionBoundary {
  const cells = grid.columns * grid.rows;
  // One chunk for the whole grid: 48² rows of 2 features is small for any model that takes 2 features.
  const { outputs, outputWidth } = predictBatched(model, grid.points, cells, [2], cells);
  return {
    grid: { extent: grid.extent, columns: grid.columns, rows: grid.rows },
    outputWidth,
    probabilities: Array.from(outputs),
  };
}
