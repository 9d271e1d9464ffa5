/**
 * The settings form's training options: learning-rate schedule (+ warm-up and the schedule's parameter), gradient
 * clipping (off / AGC λ / global norm) and early stopping (off / metric + patience + restore best). Each number field
 * shows its allowed range; an entry out of range stays in the field, marked invalid with the reason, and the config
 * keeps its last valid value until it is fixed.
 */
import { EARLY_STOP_METRICS, LR_SCHEDULE_KINDS, type LearningRateSchedule, type TrainingConfig } from '../../../shared/format/trainingConfig';
import { CheckedNumberField } from './CheckedNumberField';
import {
  OPTION_RULES,
  optionProblems,
  withClipKind,
  withEarlyStopMetric,
  withRestoreBest,
  withSchedule,
  withScheduleKind,
  type ClipKind,
  type EarlyStopChoice,
  type ScheduleKind,
} from './trainingOptions';

const SCHEDULE_HELP: Record<ScheduleKind, string> = {
  constant: 'The same rate for every step',
  step: 'The rate × factor every N epochs',
  exponential: 'The rate × factor per epoch, smoothly per step',
  cosine: 'Anneals from the rate to the minimum over the run (Loshchilov & Hutter 2017)',
};

export function TrainingOptionsFields({
  config,
  disabled,
  onChange,
  onValidity,
}: {
  config: TrainingConfig;
  disabled: boolean;
  onChange: (config: TrainingConfig) => void;
  /** Each number field's refused entry (see CheckedNumberField), so Start can wait and say why. */
  onValidity?: (setting: string, error: string | undefined) => void;
}) {
  const schedule = config.lrSchedule;
  const kind: ScheduleKind = schedule?.kind ?? 'constant';
  const clipKind: ClipKind = config.clip?.kind ?? 'off';
  const es = config.earlyStopping;
  const problems = optionProblems(config);
  const setSchedule = (patch: Record<string, number>) => onChange(withSchedule(config, { ...(schedule ?? { kind: 'constant' }), ...patch } as LearningRateSchedule));
  return (
    <div className="nb-options" data-section="training-options">
      <label className="nb-field" title={`Learning-rate schedule: ${SCHEDULE_HELP[kind]}. Drawn under the loss chart.`}>
        <span>LR schedule</span>
        <select aria-label="Learning-rate schedule" data-setting="lr-schedule" value={kind} disabled={disabled} onChange={(e) => onChange(withScheduleKind(config, e.target.value as ScheduleKind))}>
          {LR_SCHEDULE_KINDS.map((k) => (
            <option key={k} value={k} title={SCHEDULE_HELP[k]}>
              {k}
            </option>
          ))}
        </select>
      </label>
      <CheckedNumberField
        label="Warm-up"
        setting="warmup"
        value={schedule?.warmupEpochs ?? 0}
        rule={OPTION_RULES.warmupEpochs}
        onValidity={onValidity}
        step={1}
        disabled={disabled}
        help="Epochs over which the rate rises linearly from near 0 to the learning rate; 0 for none"
        onChange={(v) => setSchedule({ warmupEpochs: v })}
      />
      {schedule?.kind === 'step' ? (
        <>
          <CheckedNumberField
            label="Step every"
            setting="lr-step-every"
            value={schedule.everyEpochs}
            rule={OPTION_RULES.everyEpochs}
            onValidity={onValidity}
            step={1}
            disabled={disabled}
            help="Epochs between two steps down"
            onChange={(v) => setSchedule({ everyEpochs: v })}
          />
          <CheckedNumberField
            label="Step factor"
            setting="lr-step-factor"
            value={schedule.factor}
            rule={OPTION_RULES.factor}
            onValidity={onValidity}
            step={0.05}
            disabled={disabled}
            help="What each step multiplies the rate by"
            onChange={(v) => setSchedule({ factor: v })}
          />
        </>
      ) : null}
      {schedule?.kind === 'exponential' ? (
        <CheckedNumberField
          label="Decay factor"
          setting="lr-decay"
          value={schedule.factor}
          rule={OPTION_RULES.factor}
          onValidity={onValidity}
          step={0.01}
          disabled={disabled}
          help="What the rate is multiplied by per epoch"
          onChange={(v) => setSchedule({ factor: v })}
        />
      ) : null}
      {schedule?.kind === 'cosine' ? (
        <CheckedNumberField
          label="Minimum LR"
          setting="lr-min"
          value={schedule.minLearningRate ?? 0}
          rule={OPTION_RULES.minLearningRate}
          onValidity={onValidity}
          step={0.0001}
          disabled={disabled}
          help="The rate the cosine anneals to by the last step"
          onChange={(v) => setSchedule({ minLearningRate: v })}
        />
      ) : null}

      <label
        className="nb-field"
        title="AGC (Brock et al. 2021) scales each unit's gradient so ‖g‖/‖w‖ ≤ λ, first and last layers left out; global norm scales all gradients so their joint norm ≤ the maximum"
      >
        <span>Clipping</span>
        <select aria-label="Gradient clipping" data-setting="clip" value={clipKind} disabled={disabled} onChange={(e) => onChange(withClipKind(config, e.target.value as ClipKind))}>
          <option value="off">off</option>
          <option value="agc">adaptive (AGC)</option>
          <option value="norm">global norm</option>
        </select>
      </label>
      {config.clip?.kind === 'agc' ? (
        <CheckedNumberField
          label="AGC λ"
          setting="agc-lambda"
          value={config.clip.lambda}
          rule={OPTION_RULES.lambda}
          onValidity={onValidity}
          step={0.005}
          disabled={disabled}
          help="Largest allowed ratio of a unit's gradient norm to its weight norm (0.01 is the paper's default for batch 4096; larger batches want smaller λ)"
          onChange={(v) => onChange({ ...config, clip: { kind: 'agc', lambda: v } })}
        />
      ) : null}
      {config.clip?.kind === 'norm' ? (
        <CheckedNumberField
          label="Max norm"
          setting="clip-max-norm"
          value={config.clip.maxNorm}
          rule={OPTION_RULES.maxNorm}
          onValidity={onValidity}
          step={0.1}
          disabled={disabled}
          help="Largest allowed L2 norm of all gradients together"
          onChange={(v) => onChange({ ...config, clip: { kind: 'norm', maxNorm: v } })}
        />
      ) : null}

      <label className="nb-field" title="Stop when the chosen metric has not improved for a number of epochs">
        <span>Early stopping</span>
        <select
          aria-label="Early stopping"
          data-setting="early-stop"
          value={es?.metric ?? 'off'}
          disabled={disabled}
          onChange={(e) => onChange(withEarlyStopMetric(config, e.target.value as EarlyStopChoice))}
        >
          <option value="off">off</option>
          {EARLY_STOP_METRICS.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
      </label>
      {es ? (
        <>
          <CheckedNumberField
            label="Patience"
            setting="patience"
            value={es.patience}
            rule={OPTION_RULES.patience}
            onValidity={onValidity}
            step={1}
            disabled={disabled}
            help="Epochs without improvement before the run stops"
            onChange={(v) => onChange({ ...config, earlyStopping: { ...es, patience: v } })}
          />
          <label className="nb-field nb-checkbox-field" title="Put back the weights of the best epoch when the run stops early (else keep the last)">
            <span>Restore best</span>
            <input
              type="checkbox"
              aria-label="Restore best weights"
              data-setting="restore-best"
              checked={es.restoreBest !== false}
              disabled={disabled}
              onChange={(e) => onChange(withRestoreBest(config, e.target.checked))}
            />
          </label>
        </>
      ) : null}
      {problems.length > 0 ? (
        <ul className="nb-problems" role="alert" aria-label="Training options problems">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
