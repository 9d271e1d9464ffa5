/**
 * The web host's gatekeeping, kept apart from the server so each rule is small and testable:
 * a per-launch token on every request, Host and Origin pinned to our loopback address (DNS rebinding, other
 * sites' pages), and a strict Content-Security-Policy on everything served.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { TOKEN_HEADER } from '../../shared/contracts/graphBundle';
import { contentSecurityPolicy } from './contentSecurityPolicy';

export const TOKEN_COOKIE = 'nb_token';
export { TOKEN_HEADER };
export const TOKEN_QUERY = 'token';

export function createToken(): string {
  return randomBytes(32).toString('base64url');
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Where a valid token came from; `query` means the page should get the cookie so later requests carry it. */
export type TokenSource = 'query' | 'cookie' | 'header';

export function findToken(request: IncomingMessage, url: URL, token: string): TokenSource | undefined {
  const fromQuery = url.searchParams.get(TOKEN_QUERY);
  if (fromQuery !== null && sameSecret(fromQuery, token)) return 'query';
  const fromHeader = request.headers[TOKEN_HEADER];
  if (typeof fromHeader === 'string' && sameSecret(fromHeader, token)) return 'header';
  const fromCookie = cookieValue(request.headers.cookie, TOKEN_COOKIE);
  if (fromCookie !== undefined && sameSecret(fromCookie, token)) return 'cookie';
  return undefined;
}

export function tokenCookie(token: string): string {
  return `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

/** Hosts a browser may legitimately use to reach us; anything else is a rebinding attempt. */
export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

export function hostAllowed(request: IncomingMessage, port: number): boolean {
  const host = request.headers.host;
  return host !== undefined && allowedHosts(port).includes(host.toLowerCase());
}

/**
 * Requests without an Origin (plain navigation, curl) are judged by the token alone; a request that does carry
 * one must come from our own page.
 */
export function originAllowed(origin: string | undefined, port: number, required: boolean): boolean {
  if (origin === undefined) return !required;
  return allowedHosts(port).some((host) => origin.toLowerCase() === `http://${host}`);
}

export function securityHeaders(port: number): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(["'self'", ...allowedHosts(port).map((host) => `ws://${host}`)]),
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  };
}
