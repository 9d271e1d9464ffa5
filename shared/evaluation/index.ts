/**
 * What did the network learn? Pure evaluation of a trained model's outputs, the same in the renderer, the trainer
 * and the CLI: typed arrays in (labels, `model.predict` outputs), plain JSON-ready objects out, so results cross
 * IPC and are stored or printed as they are.
 *
 * - classification: {@link classificationMetrics}, per-sample views in `classificationSamples`, {@link calibration}
 * - regression: {@link regressionMetrics} with a residual {@link histogram}, {@link predictionSample} for a scatter
 * - 2-D data: {@link decisionBoundaryGrid} → one batched predict → {@link decisionBoundaryImage}
 * - drawing a digit: {@link preprocessDigit}
 */
export * from './classOutputs';
export * from './crossEntropy';
export * from './classificationMetrics';
export * from './classificationSamples';
export * from './calibration';
export * from './histogram';
export * from './regressionMetrics';
export * from './predictionSample';
export * from './decisionBoundaryGrid';
export * from './decisionBoundaryImage';
export * from './digitPreprocessing';
