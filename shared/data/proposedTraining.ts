/**
 * The training settings a graph proposed from the user's own data ("New from data") starts with: Adam at 0.001.
 *
 * The app-wide default (Adam at 0.01) suits the bundled toy datasets, but on an image folder the proposed
 * Input → Flatten → Dense(16) graph then rewrites about 10 % of the hidden layer's weights each step, which the Inside
 * view flags as "Exploding gradients" from the first batch. Measured with the CLI on the proposed graphs
 * (`node bin/bricks.js train FILE --epochs N --lr X --optimizer adam --backend cpu --telemetry`):
 * - electron/services/data/fixtures/images/shapes (16×16×1, 3 classes): lr 0.01 → update ratio 0.103 and the warning;
 *   lr 0.001 → 0.0104, no warning, 20 epochs reach 87.5 % train / 66.7 % test accuracy;
 * - examples/data/penguins.csv, target Species (20 epochs): lr 0.001 → 96.2 % test accuracy, no warning;
 * - the same, target Body Mass (g) (regression, 30 epochs): lr 0.001 → val loss 104 181 (lr 0.01: 110 641).
 */
import type { TrainingConfig } from '../format/trainingConfig';

export const PROPOSED_TRAINING: Readonly<Pick<TrainingConfig, 'optimizer' | 'learningRate'>> = Object.freeze({ optimizer: 'adam', learningRate: 0.001 });
