/** `bricks info FILE`: one screen about a graph — size, cost, problems, training config and run history. */
import type { Command } from 'commander';
import type { CheckpointReport } from '../../../shared/contracts/evaluation';
import type { RunSummary } from '../../../shared/format/runSummary';
import { checkpointReports } from '../../services/checkpoints/CheckpointService';
import { EXIT, type CliCommand, type CliContext } from '../command';
import { loadForCli, type CliGraph } from '../loadForCli';
import { describeLoadError, loadErrorJson } from '../describeIssue';
import { formatBytes, formatCount, formatDuration, formatFlops } from '../formatNumbers';
import { formatTable } from '../table';

function countTypes(graph: Extract<CliGraph, { ok: true }>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const node of graph.file.graph.nodes) counts[node.type] = (counts[node.type] ?? 0) + 1;
  return counts;
}

function percent(x: number | undefined): string {
  return x === undefined ? '—' : `${(x * 100).toFixed(1)}%`;
}

function lossText(x: number | undefined): string {
  return x === undefined ? '—' : x.toPrecision(4);
}

/** `ok`, `missing`, `damaged` for a run that claims a checkpoint; `—` for one that never had any. */
function checkpointText(run: RunSummary, reports: readonly CheckpointReport[]): string {
  return reports.find((r) => r.runId === run.id)?.status ?? '—';
}

export function infoJson(graph: Extract<CliGraph, { ok: true }>, checkpoints: readonly CheckpointReport[] = []): Record<string, unknown> {
  const { file, analysis } = graph;
  return {
    path: graph.path,
    name: file.graph.metadata.name,
    ...(file.graph.metadata.description === undefined ? {} : { description: file.graph.metadata.description }),
    formatVersion: file.formatVersion,
    ...(graph.migratedFrom === undefined ? {} : { migratedFrom: graph.migratedFrom }),
    counts: { nodes: file.graph.nodes.length, edges: file.graph.edges.length, groups: file.graph.groups.length },
    layerTypes: countTypes(graph),
    totals: analysis.totals,
    training: file.training ?? null,
    runs: file.runs ?? [],
    checkpoints,
  };
}

export function infoText(graph: Extract<CliGraph, { ok: true }>, checkpoints: readonly CheckpointReport[] = []): string {
  const { file, analysis } = graph;
  const { metadata, nodes, edges, groups } = file.graph;
  const { totals } = analysis;
  const lines: string[] = [];
  lines.push(`${metadata.name}  (${graph.path})`);
  if (metadata.description) lines.push(metadata.description);
  lines.push('');
  const types = Object.entries(countTypes(graph))
    .map(([type, n]) => (n > 1 ? `${n}× ${type}` : type))
    .join(', ');
  lines.push(`  format       version ${file.formatVersion}${graph.migratedFrom === undefined ? '' : ` (upgraded from ${graph.migratedFrom})`}`);
  lines.push(`  nodes        ${nodes.length}${types ? ` — ${types}` : ''}`);
  lines.push(`  edges        ${edges.length}`);
  if (groups.length > 0) lines.push(`  groups       ${groups.length} — ${groups.map((g) => g.name).join(', ')}`);
  lines.push(`  parameters   ${formatCount(totals.params)} (${totals.params.toLocaleString('en-US')}, ${formatBytes(totals.params * 4)} as float32)`);
  lines.push(`  compute      ${formatFlops(totals.flops)} per sample (forward)`);
  const batch = file.training?.batchSize;
  const perBatch = batch === undefined ? '' : `, ${formatBytes(totals.activationBytes * batch)} per batch of ${batch}`;
  lines.push(`  activations  ${formatBytes(totals.activationBytes)} per sample${perBatch}`);
  lines.push(`  problems     ${totals.errors} errors, ${totals.warnings} warnings${totals.errors > 0 ? ' (run bricks validate for details)' : ''}`);
  lines.push('');
  const t = file.training;
  if (t) {
    lines.push('Training');
    lines.push(`  dataset ${t.dataset}, optimizer ${t.optimizer} (lr ${t.learningRate}), batch ${t.batchSize}, ${t.epochs} epochs`);
    lines.push(`  validation split ${t.validationSplit}, shuffle ${t.shuffle ? 'on' : 'off'}, seed ${t.seed}, backend ${t.backend ?? 'auto'}`);
  } else {
    lines.push('Training     not configured (defaults apply)');
  }
  lines.push('');
  const runs = file.runs ?? [];
  if (runs.length === 0) {
    lines.push('Runs         none yet');
    return `${lines.join('\n')}\n`;
  }
  lines.push(`Runs (${runs.length})`);
  const row = (r: RunSummary) => [
    r.startedAt.replace('T', ' ').replace(/\.\d+Z$|Z$/, ''),
    r.status,
    r.backend,
    r.config.dataset,
    String(r.epochs.length),
    // An imported run was not trained or measured here: its `final` holds no measurement.
    r.imported ? 'imported' : lossText(r.final.loss),
    percent(r.final.accuracy),
    percent(r.final.valAccuracy),
    percent(r.final.testAccuracy),
    `${formatCount(r.samplesPerSec)}/s`,
    formatDuration(r.wallTimeMs),
    checkpointText(r, checkpoints),
  ];
  return (
    `${lines.join('\n')}\n` +
    formatTable(
      [
        { header: 'started' },
        { header: 'status' },
        { header: 'backend' },
        { header: 'dataset' },
        { header: 'epochs', align: 'right' },
        { header: 'loss', align: 'right' },
        { header: 'acc', align: 'right' },
        { header: 'val acc', align: 'right' },
        { header: 'test acc', align: 'right' },
        { header: 'speed', align: 'right' },
        { header: 'time', align: 'right' },
        { header: 'model' },
      ],
      runs.map(row),
      '  ',
    ) +
    runs
      .filter((r) => r.error)
      .map((r) => `  run ${r.id} failed: ${r.error}\n`)
      .join('') +
    checkpoints
      .filter((c) => c.status !== 'ok')
      .map((c) => `  run ${c.runId} model ${c.status}: ${c.reason}\n`)
      .join('')
  );
}

export const infoCommand: CliCommand = {
  register(program: Command, ctx: CliContext) {
    program
      .command('info')
      .description('summarise a graph file: name, node/edge counts, parameters, FLOPs, activation memory, training config, run history')
      .argument('<file>', '.nbrick file')
      .option('--json', 'print JSON on stdout')
      .action(async (path: string, opts: { json?: boolean }) => {
        const graph = await loadForCli(path);
        if (!graph.ok) {
          ctx.setExitCode(graph.exitCode);
          if (opts.json) ctx.io.stdout.write(`${JSON.stringify({ path, ok: false, error: loadErrorJson(graph.error) }, null, 2)}\n`);
          else ctx.io.stderr.write(describeLoadError(graph.error));
          return;
        }
        ctx.setExitCode(EXIT.ok);
        // Each run's kept model beside the file (FILE-runs/<run id>/): a missing or damaged one is reported, not an error.
        const checkpoints = await checkpointReports(graph.file, path);
        ctx.io.stdout.write(opts.json ? `${JSON.stringify(infoJson(graph, checkpoints), null, 2)}\n` : infoText(graph, checkpoints));
      });
  },
};
