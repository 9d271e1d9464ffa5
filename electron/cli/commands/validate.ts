/**
 * `bricks validate FILE...`: loads each file, runs the same analysis as the canvas and prints per node its output
 * shape, parameter count and FLOPs, then every problem with node id / port / JSON path.
 */
import type { Command } from 'commander';
import type { GraphIssue, NodeAnalysis } from '../../../shared/inference/types';
import type { NodeId } from '../../../shared/document/model';
import { EXIT, type CliCommand, type CliContext } from '../command';
import { loadForCli, type CliGraph } from '../loadForCli';
import { describeIssue, describeLoadError, describeParams, loadErrorJson } from '../describeIssue';
import { formatBytes, formatCount, formatFlops, formatShapeText } from '../formatNumbers';
import { formatTable } from '../table';

/** Nodes in topological order (as the data flows), then any the analysis could not order. */
export function nodesInOrder(graph: Extract<CliGraph, { ok: true }>): NodeAnalysis[] {
  const seen = new Set<NodeId>();
  const out: NodeAnalysis[] = [];
  for (const id of [...graph.analysis.order, ...graph.file.graph.nodes.map((n) => n.id)]) {
    const node = graph.analysis.nodes.get(id);
    if (node && !seen.has(id)) {
      seen.add(id);
      out.push(node);
    }
  }
  return out;
}

function issueJson(issue: GraphIssue): Record<string, unknown> {
  return { ...issue };
}

/** The machine-readable report of one file (`--json`). */
export function validateJson(graph: CliGraph): Record<string, unknown> {
  if (!graph.ok) return { path: graph.path, ok: false, exitCode: graph.exitCode, error: loadErrorJson(graph.error) };
  const { analysis, file } = graph;
  const docNodes = new Map(file.graph.nodes.map((n) => [n.id, n]));
  const errors = analysis.totals.errors;
  return {
    path: graph.path,
    ok: errors === 0,
    exitCode: errors === 0 ? EXIT.ok : EXIT.problems,
    name: file.graph.metadata.name,
    ...(graph.migratedFrom === undefined ? {} : { migratedFrom: graph.migratedFrom }),
    nodes: nodesInOrder(graph).map((n) => ({
      id: n.id,
      type: n.type,
      ...(docNodes.get(n.id)?.label === undefined ? {} : { label: docNodes.get(n.id)?.label }),
      output: n.output ?? null,
      params: n.params,
      flops: n.flops,
      activationBytes: n.activationBytes,
      config: docNodes.get(n.id)?.params ?? {},
      issues: n.issues.map(issueJson),
    })),
    issues: analysis.issues.map(issueJson),
    totals: analysis.totals,
  };
}

export function validateText(graph: CliGraph): string {
  if (!graph.ok) return describeLoadError(graph.error);
  const { analysis, file } = graph;
  const { nodes, edges, metadata } = file.graph;
  const upgraded = graph.migratedFrom === undefined ? '' : ` (upgraded from format version ${graph.migratedFrom}; saving writes the current version)`;
  let out = `${graph.path}: "${metadata.name}" — ${nodes.length} nodes, ${edges.length} edges${upgraded}\n`;
  const docNodes = new Map(nodes.map((n) => [n.id, n]));
  const rows = nodesInOrder(graph).map((n) => {
    const marker = n.issues.some((i) => i.severity === 'error') ? ' ✗' : '';
    return [
      `${n.id}${marker}`,
      n.type,
      formatShapeText(n.output),
      formatCount(n.params),
      formatFlops(n.flops),
      describeParams(docNodes.get(n.id)?.params ?? {}),
    ];
  });
  const { totals } = analysis;
  rows.push(['total', '', '', formatCount(totals.params), formatFlops(totals.flops), `activations ${formatBytes(totals.activationBytes)} per sample`]);
  out += formatTable(
    [
      { header: 'id' },
      { header: 'type' },
      { header: 'output' },
      { header: 'params', align: 'right' },
      { header: 'FLOPs', align: 'right' },
      { header: 'config', maxWidth: 60 },
    ],
    rows,
    '  ',
  );
  for (const issue of analysis.issues) out += `  ${describeIssue(issue)}\n`;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  out +=
    totals.errors === 0
      ? `  OK${totals.warnings > 0 ? ` (${plural(totals.warnings, 'warning')})` : ''}\n`
      : `  FAILED: ${plural(totals.errors, 'error')}, ${plural(totals.warnings, 'warning')}\n`;
  return out;
}

async function runValidate(files: string[], opts: { json?: boolean }, ctx: CliContext): Promise<void> {
  const reports: Record<string, unknown>[] = [];
  for (const [i, path] of files.entries()) {
    const graph = await loadForCli(path);
    const exitCode = graph.ok ? (graph.analysis.totals.errors > 0 ? EXIT.problems : EXIT.ok) : graph.exitCode;
    ctx.setExitCode(exitCode);
    if (opts.json) {
      reports.push(validateJson(graph));
    } else {
      const text = validateText(graph);
      if (graph.ok) ctx.io.stdout.write(`${i > 0 ? '\n' : ''}${text}`);
      else ctx.io.stderr.write(`${i > 0 ? '\n' : ''}${text}`);
    }
  }
  if (opts.json) ctx.io.stdout.write(`${JSON.stringify({ files: reports }, null, 2)}\n`);
}

export const validateCommand: CliCommand = {
  register(program: Command, ctx: CliContext) {
    program
      .command('validate')
      .description('check graph files: per-node output shape, parameters and FLOPs, and every error with its node, port or JSON path')
      .argument('<files...>', '.nbrick files to check')
      .option('--json', 'print one JSON document on stdout instead of tables')
      .action(async (files: string[], opts: { json?: boolean }) => runValidate(files, opts, ctx));
  },
};
