/**
 * Loading a saved model never compiles a graph (`bricks evaluate` / `predict`, the app's Evaluate), so the model
 * loaders themselves must register our layer classes. This file imports only the loaders.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { loadModelFromFiles } from '../evaluation/modelFromFiles';
import { loadModelFromDir } from '../training/modelFiles';

describe('model loaders register the custom layer classes', () => {
  it('NeuralBricks>WSConv2D and NeuralBricks>SkipInit deserialise after importing only the loaders', () => {
    expect(typeof loadModelFromFiles).toBe('function');
    expect(typeof loadModelFromDir).toBe('function');
    const classes = tf.serialization.SerializationMap.getMap().classNameMap;
    expect(classes['NeuralBricks>WSConv2D']?.[0].className).toBe('NeuralBricks>WSConv2D');
    expect(classes['NeuralBricks>SkipInit']?.[0].className).toBe('NeuralBricks>SkipInit');
  });
});
