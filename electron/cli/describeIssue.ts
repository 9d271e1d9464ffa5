/** Text and JSON forms of analysis issues and load errors, shared by the commands. */
import type { GraphIssue } from '../../shared/inference/types';
import type { ParamValue, Params } from '../../shared/document/model';
import type { ReadGraphFileError } from '../services/files/readGraphFile';

/**
 * `node conv1, input 2, param units` — where the user should look. Inputs are numbered from 1 as in every message
 * and on the canvas; only JSON output keeps the 0-based `port`.
 */
export function issueLocation(issue: GraphIssue): string {
  const parts: string[] = [];
  if (issue.nodeId !== undefined) parts.push(`node ${issue.nodeId}`);
  if (issue.port !== undefined) parts.push(`input ${issue.port + 1}`);
  if (issue.param !== undefined) parts.push(`param ${issue.param}`);
  if (issue.edgeId !== undefined) parts.push(`edge ${issue.edgeId}`);
  return parts.length === 0 ? 'graph' : parts.join(', ');
}

export function describeIssue(issue: GraphIssue): string {
  return `${issue.severity.padEnd(7)} ${issueLocation(issue)}: ${issue.message} [${issue.code}]`;
}

/** Multi-line text for a file that failed to load, JSON paths included. */
export function describeLoadError(error: ReadGraphFileError): string {
  const lines = [`error: ${error.message}`];
  if (error.code === 'invalid' && error.issues.length > 1) {
    for (const issue of error.issues) lines.push(`  at ${issue.path}: ${issue.reason}`);
  }
  return `${lines.join('\n')}\n`;
}

export function loadErrorJson(error: ReadGraphFileError): Record<string, unknown> {
  return { ...error };
}

function paramText(value: ParamValue): string {
  return Array.isArray(value) ? value.join('×') : String(value);
}

/** `units=32 activation=relu kernelSize=3×3` */
export function describeParams(params: Params): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${paramText(v)}`)
    .join(' ');
}
