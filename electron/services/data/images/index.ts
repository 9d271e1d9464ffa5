/** Image folders as training data (issue 14): inspect, hash, load, augment. Node only (sharp), no Electron. */
export { augmentBatch, augmentationRandom, drawTransform, transformImage, type AugmentationOptions, type ImageShape, type ImageTransform } from './augment';
export { hashImageFolder, inspectImageFolder, inspectImageFolderForCli, proposeInput, type ImageFolderInspectJson } from './inspectImageFolder';
export { ImageFolderError, IMAGE_EXTENSIONS } from './listImageFolder';
export {
  ImageFolderChangedError,
  UnreadableImagesError,
  fillBatch,
  loadImageFolder,
  splitByClass,
  toLoadedDataset,
  type ImageDatasetInfo,
} from './loadImageFolder';
export { loadImageFolderForTraining, type ImageFolderUserData, type ImageFolderUserDataOptions } from './imageFolderUserData';
export { describeImageInspection, proposeImageFolderSpec, proposeImageFolderSpecForPath } from './proposeImageFolderSpec';
export type * from './types';
