/**
 * Connects the app to its host once: reports the document (title, autosave, close prompt), offers a crash
 * recovery, loads files the host opens, and turns native menu commands into the same actions as the toolbar and
 * shortcuts. Call it once inside the React Flow provider (zoom and fit need the flow instance).
 */
import { useEffect } from 'react';
import { useReactFlow } from '@xyflow/react';
import type { MenuCommand } from '../../../shared/contracts/api';
import { DEFAULT_TRAINING_CONFIG } from '../../../shared/format/trainingConfig';
import { documentStore } from '../store/documentStore';
import { viewStore } from '../store/viewStore';
import { canvasCommands } from '../canvas/canvasCommands';
import { clipboardCommands } from '../canvas/clipboardCommands';
import {
  canExportModel,
  connectRunEvents,
  exportRunModel,
  pauseRun,
  resumeRun,
  startRun,
  stopRun,
  trainingRunStore,
} from '../training/trainingRunStore';
import { getLabApi } from './getLabApi';
import { openGraph, saveGraph, saveGraphAs, startDocumentSync } from './documentFiles';
import { offerRecovery } from './offerRecovery';

/** In a text field the native Edit menu must edit the text, not the graph. */
function editingText(): boolean {
  const el = document.activeElement;
  if (!(el instanceof HTMLElement)) return false;
  if (el.isContentEditable || el instanceof HTMLTextAreaElement) return true;
  return el instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit', 'range'].includes(el.type);
}

function clickTab(id: string) {
  document.getElementById(id)?.click();
}

function report(what: string) {
  return (error: unknown) => viewStore.getState().showToast(`${what} failed: ${error instanceof Error ? error.message : String(error)}`);
}

export function useLabHost(): void {
  const flow = useReactFlow();

  useEffect(() => {
    const api = getLabApi();
    connectRunEvents(api);
    const stopSync = startDocumentSync();
    void offerRecovery().catch(report('Recovery'));
    return stopSync;
  }, []);

  useEffect(() => {
    const api = getLabApi();
    const textCommands: Partial<Record<MenuCommand['command'], string>> = {
      'edit.undo': 'undo',
      'edit.redo': 'redo',
      'edit.cut': 'cut',
      'edit.copy': 'copy',
      'edit.paste': 'paste',
      'edit.delete': 'delete',
      'edit.selectAll': 'selectAll',
    };
    const onCommand = ({ command, path }: MenuCommand) => {
      const textCommand = textCommands[command];
      if (textCommand && editingText()) {
        document.execCommand(textCommand);
        return;
      }
      const store = documentStore.getState();
      const run = trainingRunStore.getState().run;
      switch (command) {
        case 'file.new':
          return viewStore.getState().openDialog({ kind: 'templates' });
        case 'file.open':
          return void openGraph().catch(report('Open'));
        case 'file.openRecent':
          return void openGraph(path).catch(report('Open'));
        case 'file.save':
          return void saveGraph().catch(report('Save'));
        case 'file.saveAs':
          return void saveGraphAs().catch(report('Save As'));
        case 'file.exportCsv':
        case 'file.exportPng': {
          // The exports live in the Training panel (they need its charts): open it, then press its buttons.
          clickTab('tab-training');
          const selector = command === 'file.exportCsv' ? '[data-export="csv"]' : '[data-export="png"]';
          requestAnimationFrame(() => document.querySelectorAll<HTMLButtonElement>(selector).forEach((b) => b.click()));
          return;
        }
        case 'file.exportModel':
          // Shown in the Training panel (where the result is listed); only a completed or stopped run has a model.
          clickTab('tab-training');
          if (!canExportModel(run)) return viewStore.getState().showToast('Export model: finish or stop a training run first.');
          return void exportRunModel(api, run!);
        case 'edit.undo':
          return store.undo();
        case 'edit.redo':
          return store.redo();
        case 'edit.cut':
          return clipboardCommands.cut();
        case 'edit.copy':
          return clipboardCommands.copy();
        case 'edit.paste':
          return clipboardCommands.paste(false);
        case 'edit.delete':
          return canvasCommands.deleteSelection();
        case 'edit.selectAll':
          return canvasCommands.selectAll();
        case 'view.zoomIn':
          return void flow.zoomIn({ duration: 150 });
        case 'view.zoomOut':
          return void flow.zoomOut({ duration: 150 });
        case 'view.fit':
          return void flow.fitView({ padding: 0.2, duration: 200 });
        case 'view.togglePalette':
          return document.querySelector('.palette-region')?.toggleAttribute('hidden');
        case 'view.toggleInspector':
          return clickTab('tab-inspector');
        case 'view.toggleTraining':
          return clickTab('tab-training');
        case 'train.start':
          clickTab('tab-training');
          if (run && ['starting', 'running', 'paused'].includes(run.status)) return;
          return void startRun(api, store.document, store.training ?? DEFAULT_TRAINING_CONFIG);
        case 'train.pause':
          if (run?.runId && run.status === 'running') return void pauseRun(api, run.runId);
          if (run?.runId && run.status === 'paused') return void resumeRun(api, run.runId);
          return;
        case 'train.stop':
          if (run?.runId) return void stopRun(api, run.runId);
          return;
        case 'help.shortcuts':
          return viewStore.getState().openDialog({ kind: 'help' });
        case 'help.about':
          return viewStore.getState().showToast('Neural Bricks — build networks like Lego, watch them learn.');
      }
    };
    return api.onMenuCommand(onCommand);
  }, [flow]);
}
