/**
 * The Lessons side panel (over the right edge of the canvas): the list of lessons, then one lesson — its text, the
 * steps with a ✓ that turns green as soon as the open document shows the step done, a button that loads the starting
 * graph, and "Run the experiment", which trains the lesson's variants one after another and ends with the
 * conclusion the lesson draws from the measured numbers.
 */
import { useEffect, useRef, useState } from 'react';
import { LESSONS, getLesson, type Lesson } from '../../../shared/lessons';
import { finalAccuracy, finalLoss } from '../../../shared/lessons/measure';
import { DEFAULT_TRAINING_CONFIG } from '../../../shared/format/trainingConfig';
import { getLabApi } from '../api/getLabApi';
import { documentStore, useDocumentStore } from '../store/documentStore';
import { viewStore } from '../store/viewStore';
import { isExperimentActive, useExperiment } from '../experiments/experimentStore';
import { useTrainingRun } from '../training/trainingRunStore';
import {
  chooseLesson,
  closeLessons,
  isLessonRunActive,
  lessonProgress,
  runLessonExperiment,
  stopLessonExperiment,
  useLessons,
  type LessonExperiment,
} from './lessonStore';
import './lessons.css';

export function LessonPanel() {
  const open = useLessons((s) => s.open);
  const lessonId = useLessons((s) => s.lessonId);
  if (!open) return null;
  const lesson = lessonId !== undefined ? getLesson(lessonId) : undefined;
  return (
    <aside className="nb-lesson-panel" aria-label="Lessons" data-testid="lesson-panel">
      <header className="nb-lesson-head">
        {lesson ? (
          <button type="button" onClick={() => chooseLesson(undefined)} aria-label="All lessons" title="All lessons" data-testid="lesson-back">
            ←
          </button>
        ) : null}
        <h2>{lesson ? lesson.title : 'Lessons'}</h2>
        <button type="button" className="nb-lesson-close" onClick={closeLessons} aria-label="Close lessons" data-testid="lesson-close">
          ×
        </button>
      </header>
      {lesson ? <LessonView lesson={lesson} /> : <LessonList />}
    </aside>
  );
}

function LessonList() {
  return (
    <div className="nb-lesson-body">
      <p className="nb-lesson-muted">Guided experiments that reproduce famous results in a few minutes, offline.</p>
      <ul className="nb-lesson-list">
        {LESSONS.map((l) => (
          <li key={l.id}>
            <button type="button" onClick={() => chooseLesson(l.id)} data-testid={`lesson-choose-${l.id}`}>
              <strong>{l.title}</strong>
              <span>about {l.minutes} min</span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

function loadStart(lesson: Lesson): void {
  const { dirty } = documentStore.getState();
  if (dirty && !window.confirm('Discard unsaved changes to this graph?')) return;
  documentStore.getState().replaceFile({ graph: lesson.start.graph, training: lesson.start.config });
  viewStore.getState().showToast(`Loaded the starting graph of "${lesson.title}"`);
}

function LessonView({ lesson }: { lesson: Lesson }) {
  const document = useDocumentStore((s) => s.document);
  const config = useDocumentStore((s) => s.training) ?? DEFAULT_TRAINING_CONFIG;
  const runs = useDocumentStore((s) => s.runs);
  const done = lesson.steps.map((step) => step.check(document, config, runs));
  const doneCount = done.filter(Boolean).length;
  return (
    <div className="nb-lesson-body" data-lesson-id={lesson.id}>
      <p className="nb-lesson-intro">{lesson.intro}</p>
      <p className="nb-lesson-cite">After {lesson.citation}.</p>
      <button type="button" className="nb-lesson-load" onClick={() => loadStart(lesson)} data-testid="lesson-load">
        Load the starting graph
      </button>
      <h3>
        Steps <span className="nb-lesson-muted">({doneCount} of {lesson.steps.length} done)</span>
      </h3>
      <ol className="nb-lesson-steps" aria-label="Steps">
        {lesson.steps.map((step, i) => (
          <li key={step.id} data-step-id={step.id} data-step-done={done[i] ? 'true' : 'false'} className={done[i] ? 'done' : undefined}>
            <span className="nb-lesson-check" aria-label={done[i] ? 'done' : 'not done yet'}>
              {done[i] ? '✓' : '○'}
            </span>
            <span>{step.text}</span>
          </li>
        ))}
      </ol>
      <ExperimentSection lesson={lesson} />
    </div>
  );
}

const pct = (x: number | undefined) => (x === undefined ? '–' : `${(x * 100).toFixed(1)} %`);

function useNow(active: boolean): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = window.setInterval(() => setNow(Date.now()), 500);
    return () => window.clearInterval(timer);
  }, [active]);
  return now;
}

function ExperimentSection({ lesson }: { lesson: Lesson }) {
  const experiment = useLessons((s) => (s.experiment?.lessonId === lesson.id ? s.experiment : undefined));
  const otherRunning = useLessons((s) => isLessonRunActive(s) && s.experiment?.lessonId !== lesson.id);
  const trainingActive = useTrainingRun((s) => s.run?.status === 'starting' || s.run?.status === 'running' || s.run?.status === 'paused');
  const compareActive = useExperiment((s) => isExperimentActive(s));
  const running = experiment !== undefined && !experiment.done;
  const busyReason = trainingActive
    ? 'A training run is on: wait for it or stop it first.'
    : compareActive
      ? 'A variant comparison is running.'
      : otherRunning
        ? 'Another lesson is running.'
        : undefined;
  const api = getLabApi();
  const start = () => {
    runLessonExperiment(api, lesson).catch((error: unknown) =>
      viewStore.getState().showToast(`Run the experiment failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  };
  return (
    <section className="nb-lesson-experiment" aria-label="Experiment">
      <h3>The experiment</h3>
      <p className="nb-lesson-muted">
        Trains {lesson.variants().length} variants one after another on {lesson.dataset.id}
        {lesson.dataset.options?.limit !== undefined ? ` (first ${lesson.dataset.options.limit} samples)` : ''}, fixed seeds.
      </p>
      <div className="nb-lesson-row">
        {running ? (
          <button type="button" onClick={() => void stopLessonExperiment(api)} disabled={experiment.stopping} data-testid="lesson-stop">
            {experiment.stopping ? 'Stopping…' : 'Stop'}
          </button>
        ) : (
          <button type="button" className="primary" onClick={start} disabled={busyReason !== undefined} title={busyReason} data-testid="lesson-run">
            Run the experiment
          </button>
        )}
      </div>
      {busyReason && !running ? <p className="nb-lesson-muted">{busyReason}</p> : null}
      {experiment ? <ExperimentResults experiment={experiment} /> : null}
    </section>
  );
}

function ExperimentResults({ experiment }: { experiment: LessonExperiment }) {
  const now = useNow(!experiment.done);
  const { fraction, etaSeconds } = lessonProgress(experiment, now);
  const current = experiment.variants.find((v) => v.status === 'starting' || v.status === 'running');
  const box = useRef<HTMLDivElement>(null);
  // The results sit below the steps: bring them (then the conclusion) into view as they appear.
  useEffect(() => {
    // A block body: newer Chromium returns a promise from scrollIntoView, which React must not take for a cleanup.
    box.current?.scrollIntoView({ block: 'end', behavior: 'smooth' });
  }, [experiment.id, experiment.evaluation]);
  return (
    <div className="nb-lesson-results" ref={box} data-testid="lesson-results" data-lesson-done={experiment.done ? 'true' : 'false'}>
      {!experiment.done ? (
        <div className="nb-lesson-progress">
          <progress max={1} value={fraction} aria-label="Experiment progress" data-testid="lesson-progress" />
          <p>
            {current ? `${current.name} — epoch ${Math.max(1, current.epoch)}/${current.epochs}` : 'Starting…'}
            {etaSeconds !== undefined ? ` · about ${Math.ceil(etaSeconds)} s left` : ''}
          </p>
        </div>
      ) : null}
      <table className="nb-lesson-table" aria-label="Variants">
        <thead>
          <tr>
            <th scope="col">variant</th>
            <th scope="col">status</th>
            <th scope="col">val loss</th>
            <th scope="col">val acc</th>
          </tr>
        </thead>
        <tbody>
          {experiment.variants.map((v) => (
            <tr key={v.name} data-variant={v.name} data-status={v.status}>
              <th scope="row" title={v.changes.join('\n')}>
                {v.name}
              </th>
              <td>{v.status === 'failed' && v.summary ? 'diverged' : v.status}</td>
              <td>{finalLoss(v.summary)?.toFixed(3) ?? '–'}</td>
              <td>{pct(finalAccuracy(v.summary))}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {experiment.evaluation ? (
        <div
          className={`nb-lesson-conclusion ${experiment.evaluation.passed ? 'passed' : 'not-passed'}`}
          data-testid="lesson-conclusion"
          data-lesson-passed={experiment.evaluation.passed ? 'true' : 'false'}
          role="status"
        >
          <strong>{experiment.evaluation.passed ? '✓ Effect measured' : '✗ Effect not measured'}</strong>
          <p>{experiment.evaluation.conclusion}</p>
        </div>
      ) : null}
    </div>
  );
}
