/** The `mnist` package (cazala/mnist) ships no types; we use only each digit's raw pixel array. */
declare module 'mnist' {
  interface MnistDigit {
    readonly id: number;
    /** All samples of this digit, 784 values in [0, 1] each, concatenated. */
    readonly raw: readonly number[];
    readonly length: number;
  }
  const digits: readonly MnistDigit[];
  export default digits;
}
