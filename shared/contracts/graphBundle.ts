/**
 * The web host's HTTP route for graph bundles (a `.nbrick` with its trained models as one zip, laid out as on disk):
 * `GET` downloads the bundle of a saved file, `POST` uploads one and answers the OpenedFile. Both need the token like
 * every request; large weights never travel in a WebSocket message.
 */
export const BUNDLE_ROUTE = '/bundle';
/** GET query: the saved file's page path (`workspace/x.nbrick`). */
export const BUNDLE_PATH_PARAM = 'path';
/** GET query: the name to give the graph inside the bundle (`copy.nbrick`); default the file's own name. */
export const BUNDLE_NAME_PARAM = 'name';
/**
 * GET query: sha256 (hex) of the text the page holds. The host refuses with 409 when the saved file differs: the bundle
 * would not be what the user sees.
 */
export const BUNDLE_SHA256_PARAM = 'sha256';
/** GET answer header: the checkpoints left out (damaged or missing), as encodeURIComponent(JSON of CheckpointReport[]). */
export const BUNDLE_LEFT_OUT_HEADER = 'x-neural-bricks-left-out';
/** The most a bundle may hold, packed or unpacked, whatever its checkpoints say. */
export const MAX_BUNDLE_BYTES = 512 * 1024 * 1024;
export const BUNDLE_EXTENSION = '.zip';
/** The header a script request carries its token in (the page's own fetches; the WebSocket uses the query). */
export const TOKEN_HEADER = 'x-neural-bricks-token';
