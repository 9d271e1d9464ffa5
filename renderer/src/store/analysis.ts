/**
 * Graph analysis memoised on what it depends on. Moving nodes changes the document but not its topology or
 * params, so a drag reuses the previous analysis instead of re-running inference on every frame.
 */
import { analyzeGraph } from '../../../shared/inference/analyzeGraph';
import type { GraphDocument } from '../../../shared/document/model';
import type { GraphAnalysis } from '../../../shared/inference/types';
import { useDocumentStore } from './documentStore';

let last: { doc: GraphDocument; analysis: GraphAnalysis } | undefined;

export function sameInferenceInputs(a: GraphDocument, b: GraphDocument): boolean {
  if (a === b) return true;
  if (a.edges !== b.edges || a.nodes.length !== b.nodes.length) return false;
  for (let i = 0; i < a.nodes.length; i++) {
    const x = a.nodes[i]!;
    const y = b.nodes[i]!;
    if (x !== y && (x.id !== y.id || x.type !== y.type || x.params !== y.params)) return false;
  }
  return true;
}

export function analysisFor(doc: GraphDocument): GraphAnalysis {
  if (last && sameInferenceInputs(last.doc, doc)) {
    last = { doc, analysis: last.analysis };
    return last.analysis;
  }
  last = { doc, analysis: analyzeGraph(doc) };
  return last.analysis;
}

export function useAnalysis(): GraphAnalysis {
  return useDocumentStore((s) => analysisFor(s.document));
}
