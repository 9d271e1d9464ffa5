/**
 * The page's Content-Security-Policy, one policy for both hosts: scripts only from our own origin (plus
 * WebAssembly for the tfjs wasm backend), no plugins, no framing, no form posts. The hosts differ only in where
 * the page may connect: the web host's WebSocket, or nothing beyond 'self' in Electron (IPC needs no network).
 */
export function contentSecurityPolicy(connectSources: readonly string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    `connect-src ${connectSources.join(' ')}`,
    "img-src 'self' data: blob:",
    // React Flow positions nodes with inline styles.
    "style-src 'self' 'unsafe-inline'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
