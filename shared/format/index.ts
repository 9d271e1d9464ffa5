/** The `.nbrick` file format: schemas, loading (with migrations), canonical saving and diffing. */
export * from './graphFileSchema';
export * from './loadGraphFile';
export * from './serializeGraphFile';
export * from './trainingConfig';
export * from './runSummary';
export { MIGRATIONS, type Migration } from './migrations';
export * from './diffGraphFiles';
