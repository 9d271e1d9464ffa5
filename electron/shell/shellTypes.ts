/** Contract types the shell uses, re-exported in one place. */
export type { ApiHandlers, OpenedFile, MenuCommand, MenuCommandId } from '../../shared/contracts/api';
import type { DocumentState } from '../host/autosave';

export type DocumentStateSink = (state: DocumentState) => void;
