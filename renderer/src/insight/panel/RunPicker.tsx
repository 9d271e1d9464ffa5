/**
 * Whose telemetry the Insight views show: the live run while it trains, else a run of the document's history. A
 * picker appears when there is a choice; otherwise one line names the run.
 */
import type { RunSummary } from '../../../../shared/format/runSummary';
import { reviewRun, type ShownTelemetry } from '../insightStore';
import type { LiveRun } from '../../training/trainingRunStore';
import { runOutcomeText } from '../../training/runDescriptions';

export interface RunChoice {
  readonly runId: string;
  readonly label: string;
  readonly live: boolean;
}

/**
 * The runs that have telemetry, numbered as in the run history, and the live run (when it is not in the history yet)
 * after them.
 */
export function runChoices(runs: readonly RunSummary[], live: LiveRun | undefined, shown: ShownTelemetry | undefined): RunChoice[] {
  const choices: RunChoice[] = [];
  runs.forEach((r, i) => {
    if (!r.telemetry) return;
    // A run stopped inside its first epoch says so instead of "0 ep".
    const outcome = r.epochs.length === 0 ? runOutcomeText(r) : `${r.status} · ${r.epochs.length} ep`;
    choices.push({ runId: r.id, label: `Run ${i + 1} · ${outcome}`, live: false });
  });
  if (live?.runId && live.telemetry && !runs.some((r) => r.id === live.runId)) {
    const training = shown?.runId === live.runId ? shown.live : live.status === 'running' || live.status === 'paused' || live.status === 'starting';
    choices.push({ runId: live.runId, label: `Run ${runs.length + 1} · ${training ? 'live' : live.status}`, live: training });
  }
  return choices;
}

export function RunPicker({ choices, shown }: { readonly choices: readonly RunChoice[]; readonly shown: ShownTelemetry }) {
  const current = choices.find((c) => c.runId === shown.runId);
  if (choices.length < 2) {
    return (
      <p className="nb-insight-run nb-muted" data-run={shown.runId} data-live={shown.live ? 'true' : 'false'}>
        {shown.live ? <LiveDot /> : null}
        {current?.label ?? `Run ${shown.runId.slice(-6)}`}
      </p>
    );
  }
  return (
    <label className="nb-insight-run nb-inline" data-run={shown.runId} data-live={shown.live ? 'true' : 'false'}>
      {shown.live ? <LiveDot /> : null}
      <span>Run</span>
      <select aria-label="Run shown" value={shown.runId} onChange={(e) => reviewRun(choices.find((c) => c.runId === e.target.value)?.live ? undefined : e.target.value)}>
        {choices.map((c) => (
          <option key={c.runId} value={c.runId}>
            {c.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The live run's mark beside its label ("Run 3 · live"). */
function LiveDot() {
  return (
    <span className="nb-insight-live" aria-hidden="true">
      ●{' '}
    </span>
  );
}
