/**
 * Our own tfjs layer classes. Importing this module registers them for deserialisation, so any code that loads a
 * saved model (checkpoints, exports) without compiling a graph first imports it too.
 */
export { SkipInit, skipInit } from './skipInit';
export { WSConv2D, wsConv2d } from './wsConv2d';
