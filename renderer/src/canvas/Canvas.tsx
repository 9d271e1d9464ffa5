/**
 * The React Flow canvas. Controlled by the document store: nodes and edges come from FlowMapper, and every change
 * React Flow reports (drag, select, measure) is translated back into a store action.
 *
 * A drag in progress is the one exception: its positions live in local state (`dragPositions`) and reach the
 * document once, when the drag ends (one undo step, as before). Committing every pointer move made each frame of a
 * drag re-run everything that watches the document (inspector, summary, analysis checks, edge mapping) over the
 * whole graph; positions do not change shapes, so nothing but the canvas needs them before the drop.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent, type KeyboardEvent as ReactKeyboardEvent, type MouseEvent as ReactMouseEvent } from 'react';
import {
  Background,
  BackgroundVariant,
  ConnectionLineType,
  Controls,
  Panel,
  ReactFlow,
  getBezierPath,
  useReactFlow,
  useStore,
  useUpdateNodeInternals,
  MiniMap,
  type ReactFlowState,
  type Connection,
  type ConnectionLineComponentProps,
  type Edge,
  type EdgeChange,
  type IsValidConnection,
  type NodeChange,
  type OnConnectEnd,
} from '@xyflow/react';
import type { NodeId, Position } from '../../../shared/document/model';
import { documentStore, useDocumentStore } from '../store/documentStore';
import { useAnalysis } from '../store/analysis';
import { useViewStore, viewStore } from '../store/viewStore';
import { nodeDescriber } from '../catalog/nodeDescriber';
import { BLOCK_PREFIX, FRAME_PREFIX, FlowMapper, withDragPositions, type FlowNode, type Size } from './flowMapping';
import { nodeTypes } from './nodes/nodeTypes';
import { edgeTypes } from './edges/ShapeEdge';
import { GRID, canvasCommands, connectionVerdict, portOfHandle } from './canvasCommands';
import { PALETTE_MIME, parsePaletteDrag } from '../palette/paletteDrag';
import { insertPaletteEntry } from '../palette/insertPaletteEntry';
import { inferDirection, useFlowDirection } from '../layout/flowDirection';
import { openViewport } from '../layout/openViewport';
import { MINIMAP_SIZE, minimapCorner } from '../layout/minimapCorner';
import { OverlayControls } from '../insight/overlay/OverlayControls';
import { useTheme } from '../panels/theme';

const LOOK_COLORS: Record<string, string> = {
  inputs: 'var(--c-inputs)',
  core: 'var(--c-core)',
  convolution: 'var(--c-convolution)',
  pooling: 'var(--c-pooling)',
  normalization: 'var(--c-normalization)',
  regularization: 'var(--c-regularization)',
  activation: 'var(--c-activation)',
  merge: 'var(--c-merge)',
  recurrent: 'var(--c-recurrent)',
  output: 'var(--c-output)',
};

/** MiniMap colour per node look; module-level so the minimap's 500 node rects are not re-rendered on every canvas render. */
function miniMapColor(n: { type?: string }): string {
  return LOOK_COLORS[n.type ?? ''] ?? 'var(--c-unknown)';
}

function groupIdOf(flowId: string): string | undefined {
  if (flowId.startsWith(FRAME_PREFIX)) return flowId.slice(FRAME_PREFIX.length);
  if (flowId.startsWith(BLOCK_PREFIX)) return flowId.slice(BLOCK_PREFIX.length);
  return undefined;
}

function ConnectionLine({ fromX, fromY, toX, toY, fromPosition, toPosition }: ConnectionLineComponentProps) {
  const hint = useViewStore((s) => s.connectionHint);
  const [path] = getBezierPath({ sourceX: fromX, sourceY: fromY, sourcePosition: fromPosition, targetX: toX, targetY: toY, targetPosition: toPosition });
  return (
    <g>
      <path d={path} fill="none" stroke={hint && !hint.ok ? 'var(--error)' : 'var(--accent)'} strokeWidth={2} strokeDasharray="5 4" />
      {hint ? (
        <foreignObject x={toX} y={toY} width={300} height={80} style={{ overflow: 'visible' }}>
          <div className={`connection-hint${hint.ok ? ' ok' : ''}`} data-testid="connection-hint">
            {hint.message}
          </div>
        </foreignObject>
      ) : null}
    </g>
  );
}

/** Runs `fn` after two frames: new nodes must be rendered and measured before they can be framed. */
function afterPaint(fn: () => void): () => void {
  let second = 0;
  const first = requestAnimationFrame(() => {
    second = requestAnimationFrame(fn);
  });
  return () => {
    cancelAnimationFrame(first);
    cancelAnimationFrame(second);
  };
}

/**
 * Shows the graph after `trigger` changes (a file opened, a layout applied) at the viewport openViewport picks: framed
 * whole when text stays readable, else at the readable zoom from its input end. The graph itself is never re-laid
 * out here, so the same file looks the same in any window.
 */
function useOpenViewport(trigger: number): void {
  const flow = useReactFlow();
  useEffect(() => {
    if (trigger === 0) return;
    return afterPaint(() => {
      const nodes = flow.getNodes();
      const pane = document.querySelector('.react-flow')?.getBoundingClientRect();
      if (nodes.length === 0 || !pane) return;
      const inferred = inferDirection(documentStore.getState().document);
      const direction = inferred === 'either' ? viewStore.getState().layoutDirection : inferred;
      void flow.setViewport(openViewport(flow.getNodesBounds(nodes), pane, direction));
    });
  }, [trigger, flow]);
}

/** Ports move to other sides when the flow direction changes; React Flow must re-measure them for the edges. */
function useRemeasureHandles(direction: string): void {
  const flow = useReactFlow();
  const updateNodeInternals = useUpdateNodeInternals();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    updateNodeInternals(flow.getNodes().map((n) => n.id));
  }, [direction, flow, updateNodeInternals]);
}

function minimapCornerOf(s: ReactFlowState) {
  const rects = [];
  for (const n of s.nodeLookup.values()) {
    const width = n.measured.width ?? n.width;
    const height = n.measured.height ?? n.height;
    if (n.hidden || !width || !height) continue;
    rects.push({ x: n.internals.positionAbsolute.x, y: n.internals.positionAbsolute.y, width, height });
  }
  return minimapCorner(rects, s.transform, { width: s.width, height: s.height });
}

/** The minimap, in a corner no layer is under (see layout/minimapCorner.ts), or hidden when there is none. */
function CornerMiniMap({ nodeColor }: { nodeColor: (n: { type?: string }) => string }) {
  const corner = useStore(minimapCornerOf);
  if (corner === 'hidden') return null;
  return (
    <MiniMap
      position={corner}
      pannable
      zoomable
      ariaLabel="Mini map"
      nodeColor={nodeColor}
      nodeStrokeWidth={0}
      maskColor="rgba(120, 130, 150, 0.18)"
      style={MINIMAP_SIZE}
    />
  );
}

/**
 * Clicking a layer shows the inspector tab. Only a click does: selection the document store sets (insert, paste,
 * undo) and dragging a layer leave a watched Training tab alone, and a collapsed side panel stays collapsed.
 */
function showInspectorTab() {
  viewStore.getState().setSideTab('inspector');
}

/** In a narrow window the side panel floats over the canvas; a click on empty canvas puts it away, as with a drawer. */
function closeSideOverlay() {
  if (viewStore.getState().sideOverlayOpen) viewStore.setState({ sideOverlayOpen: false });
}

/** Enter on a focused layer selects it (React Flow's keyboard selection): the keyboard twin of a click. */
function onCanvasKeyDown(event: ReactKeyboardEvent) {
  if (event.key === 'Enter' && event.target instanceof Element && event.target.matches('.react-flow__node')) showInspectorTab();
}

/**
 * Double-clicking a layer shows the inspector — expanding the side panel, or opening it over the canvas in a narrow
 * window — and jumps to its first setting.
 */
function focusInspector() {
  viewStore.getState().revealSidePanel('inspector');
  afterPaint(() => {
    document.querySelector<HTMLElement>('[data-testid="inspector"] [data-param] input, [data-testid="inspector"] [data-param] select')?.focus();
  });
}

export function Canvas() {
  const doc = useDocumentStore((s) => s.document);
  const selection = useDocumentStore((s) => s.selection);
  const edgeSelection = useDocumentStore((s) => s.edgeSelection);
  const analysis = useAnalysis();
  const measured = useViewStore((s) => s.measured);
  const theme = useTheme();
  const flow = useReactFlow();
  const mapper = useMemo(() => new FlowMapper(nodeDescriber), []);
  const selectionSet = useMemo(() => new Set(selection), [selection]);
  const edgeSelectionSet = useMemo(() => new Set(edgeSelection), [edgeSelection]);
  // Live positions of the drag in progress (see the file comment); `dragRef` is the same map, readable in handlers
  // that run several times before React re-renders.
  const [dragPositions, setDragPositions] = useState<ReadonlyMap<NodeId, Position>>();
  const dragRef = useRef<{ positions: Map<NodeId, Position>; frames: Map<string, Position> } | undefined>(undefined);
  const viewDoc = useMemo(() => withDragPositions(doc, dragPositions), [doc, dragPositions]);
  const nodes = useMemo(
    () => mapper.nodes({ doc: viewDoc, analysis, selection: selectionSet, edgeSelection: edgeSelectionSet, measured }),
    [mapper, viewDoc, analysis, selectionSet, edgeSelectionSet, measured],
  );
  // Edges do not depend on positions: mapped from the document itself, so a drag leaves the edge array (and React
  // Flow's connection lookup over every edge) untouched.
  const edges = useMemo(
    () => mapper.edges({ doc, analysis, selection: selectionSet, edgeSelection: edgeSelectionSet, measured }),
    [mapper, doc, analysis, selectionSet, edgeSelectionSet, measured],
  );
  const loadCount = useDocumentStore((s) => s.loadCount);
  const fitRequests = useViewStore((s) => s.fitRequests);
  // A newly loaded file, or one just laid out, opens readable: framed whole if it fits, else scrolled to its input end.
  useOpenViewport(loadCount);
  useOpenViewport(fitRequests);
  useRemeasureHandles(useFlowDirection());
  const nodesRef = useRef<FlowNode[]>(nodes);
  nodesRef.current = nodes;

  const onNodesChange = useCallback((changes: NodeChange<FlowNode>[]) => {
    const sizes = new Map<string, Size>();
    const positions = new Map<NodeId, Position>();
    const state = documentStore.getState();
    let nextSelection: Set<NodeId> | undefined;
    let moved = false;
    let dragging = false;
    const drag = dragRef.current ?? { positions: new Map<NodeId, Position>(), frames: new Map<string, Position>() };
    const positionOf = (id: NodeId) => positions.get(id) ?? drag.positions.get(id) ?? state.document.nodes.find((n) => n.id === id)?.position;
    for (const change of changes) {
      if (change.type === 'dimensions' && change.dimensions) {
        sizes.set(change.id, change.dimensions);
      } else if (change.type === 'position' && change.position) {
        moved = true;
        if (change.dragging) dragging = true;
        const groupId = groupIdOf(change.id);
        if (groupId !== undefined) {
          // A block frame dragged by its header carries its layers along by the same offset.
          const previous = drag.frames.get(change.id) ?? nodesRef.current.find((n) => n.id === change.id)?.position;
          if (!previous) continue;
          const dx = change.position.x - previous.x;
          const dy = change.position.y - previous.y;
          drag.frames.set(change.id, change.position);
          if (dx === 0 && dy === 0) continue;
          for (const id of state.document.groups.find((g) => g.id === groupId)?.nodeIds ?? []) {
            const p = positionOf(id);
            if (p) positions.set(id, { x: p.x + dx, y: p.y + dy });
          }
        } else {
          positions.set(change.id, change.position);
        }
      } else if (change.type === 'select') {
        nextSelection ??= new Set(state.selection);
        const groupId = groupIdOf(change.id);
        const ids = groupId !== undefined ? (state.document.groups.find((g) => g.id === groupId)?.nodeIds ?? []) : [change.id];
        for (const id of ids) {
          if (change.selected) nextSelection.add(id);
          else nextSelection.delete(id);
        }
      }
    }
    if (sizes.size > 0) viewStore.getState().setMeasured(sizes);
    if (moved) {
      for (const [id, p] of positions) drag.positions.set(id, p);
      if (dragging) {
        // Mid-drag: shown on the canvas only.
        dragRef.current = drag;
        setDragPositions(new Map(drag.positions));
      } else {
        // The drop (or a keyboard nudge): the whole move becomes one document edit.
        dragRef.current = undefined;
        setDragPositions(undefined);
        if (drag.positions.size > 0) canvasCommands.dragTo(drag.positions);
      }
    }
    if (nextSelection) {
      const s = documentStore.getState();
      s.select(
        s.document.nodes.filter((n) => nextSelection.has(n.id)).map((n) => n.id),
        s.edgeSelection,
      );
    }
  }, []);

  const onEdgesChange = useCallback((changes: EdgeChange<Edge>[]) => {
    const state = documentStore.getState();
    let next: Set<string> | undefined;
    for (const change of changes) {
      if (change.type !== 'select') continue;
      next ??= new Set(state.edgeSelection);
      if (change.selected) next.add(change.id);
      else next.delete(change.id);
    }
    if (next) state.select(state.selection, [...next]);
  }, []);

  const isValidConnection = useCallback<IsValidConnection>((conn) => {
    if (!conn.source || !conn.target || groupIdOf(conn.source) !== undefined || groupIdOf(conn.target) !== undefined) {
      return false;
    }
    const verdict = connectionVerdict(documentStore.getState().document, conn.source, conn.target, portOfHandle(conn.targetHandle));
    viewStore.getState().setConnectionHint(verdict.ok ? { ok: true, message: 'Connect' } : { ok: false, message: verdict.reason });
    return verdict.ok;
  }, []);

  const onConnect = useCallback((conn: Connection) => {
    viewStore.getState().setConnectionHint(undefined);
    canvasCommands.connect(conn.source, conn.target, portOfHandle(conn.targetHandle));
  }, []);

  const onConnectEnd = useCallback<OnConnectEnd>(() => viewStore.getState().setConnectionHint(undefined), []);

  const onDragOver = useCallback((event: DragEvent) => {
    if (!event.dataTransfer.types.includes(PALETTE_MIME)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  }, []);

  const onDrop = useCallback(
    (event: DragEvent) => {
      const entry = parsePaletteDrag(event.dataTransfer.getData(PALETTE_MIME));
      if (!entry) return;
      event.preventDefault();
      const position = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
      // Dropped on an edge? Its wide invisible interaction path sits under the pointer.
      const edgeEl = document
        .elementsFromPoint(event.clientX, event.clientY)
        .map((el) => el.closest('.react-flow__edge'))
        .find((el): el is Element => el !== null);
      const edgeId = edgeEl?.getAttribute('data-id') ?? undefined;
      insertPaletteEntry(entry, { x: position.x - 90, y: position.y - 30 }, edgeId ? { edgeId, after: null } : { after: null });
    },
    [flow],
  );

  const onMouseMove = useCallback(
    (event: ReactMouseEvent) => {
      viewStore
        .getState()
        .setCursor(flow.screenToFlowPosition({ x: event.clientX, y: event.clientY }), { x: event.clientX, y: event.clientY });
    },
    [flow],
  );

  return (
    <div className="canvas-host" style={{ position: 'absolute', inset: 0 }} onMouseMove={onMouseMove}
      onMouseLeave={() => viewStore.setState({ pointer: undefined })}
      onKeyDown={onCanvasKeyDown}
      data-testid="canvas"
    >
      {doc.nodes.length === 0 ? (
        <div className="canvas-empty">
          <div>
            <strong>Empty canvas</strong>
            <br />
            Drag a layer from the palette, or press <kbd>Space</kbd> and type a layer name.
            <br />
            <kbd>?</kbd> shows every shortcut.
            <br />
            <button type="button" className="btn canvas-empty-action" onClick={() => viewStore.getState().openDialog({ kind: 'templates' })}>
              Start from a template…
            </button>
          </div>
        </div>
      ) : null}
      <ReactFlow<FlowNode, Edge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onConnectEnd={onConnectEnd}
        isValidConnection={isValidConnection}
        connectionLineComponent={ConnectionLine}
        connectionLineType={ConnectionLineType.Bezier}
        onNodeDragStop={canvasCommands.endDrag}
        onNodeClick={showInspectorTab}
        onPaneClick={closeSideOverlay}
        onNodeDoubleClick={focusInspector}
        onSelectionDragStop={canvasCommands.endDrag}
        onDragOver={onDragOver}
        onDrop={onDrop}
        snapToGrid
        snapGrid={[GRID, GRID]}
        deleteKeyCode={null}
        panActivationKeyCode={null}
        selectionKeyCode="Shift"
        multiSelectionKeyCode={['Meta', 'Control']}
        defaultViewport={{ x: 40, y: 40, zoom: 1 }}
        minZoom={0.1}
        maxZoom={2.5}
        onlyRenderVisibleElements={doc.nodes.length > 200}
        proOptions={{ hideAttribution: true }}
        colorMode={theme}
      >
        <Background variant={BackgroundVariant.Dots} gap={GRID} size={1.2} color="var(--grid)" />
        <CornerMiniMap nodeColor={miniMapColor} />
        <Controls aria-label="Zoom controls" showInteractive={false} />
        <Panel position="top-left">
          <OverlayControls />
        </Panel>
      </ReactFlow>
    </div>
  );
}
