/** Actions on named blocks (groups), shared by the block frame header, the toolbar and shortcuts. */
import { extractSubgraph, groupNodes, renameGroup, setGroupCollapsed, ungroup } from '../../../shared/document';
import type { GroupId, NodeId } from '../../../shared/document';
import { documentStore } from '../store/documentStore';
import { viewStore } from '../store/viewStore';
import { savedBlocksStore } from '../blocks/savedBlocks';
import { repeatGroup } from '../blocks/insertBlock';

export const blockActions = {
  setCollapsed(groupId: GroupId, collapsed: boolean): void {
    documentStore.getState().edit((d) => setGroupCollapsed(d, groupId, collapsed));
  },
  /** Groups the selection into a named block. */
  groupSelection(name?: string): void {
    const { selection, document } = documentStore.getState();
    if (selection.length === 0) return;
    const blockName = name ?? `Block ${document.groups.length + 1}`;
    documentStore.getState().edit((d) => groupNodes(d, selection, blockName));
  },
  rename(groupId: GroupId, name: string): void {
    documentStore.getState().edit((d) => renameGroup(d, groupId, name));
  },
  ungroup(groupId: GroupId): void {
    documentStore.getState().edit((d) => ungroup(d, groupId));
  },
  promptRepeat(groupId: GroupId): void {
    viewStore.getState().openDialog({ kind: 'repeat', groupId });
  },
  repeat(groupId: GroupId, times: number): void {
    const measured = viewStore.getState().measured;
    documentStore.getState().edit((d) => repeatGroup(d, groupId, times, (id: NodeId) => measured.get(id) ?? { width: 190 }));
  },
  saveToPalette(groupId: GroupId): void {
    const doc = documentStore.getState().document;
    const group = doc.groups.find((g) => g.id === groupId);
    if (!group) return;
    const fragment = extractSubgraph(doc, group.nodeIds);
    savedBlocksStore.getState().save(group.name, { ...fragment, groups: [] });
    viewStore.getState().showToast(`Saved “${group.name}” to the palette`);
  },
};
