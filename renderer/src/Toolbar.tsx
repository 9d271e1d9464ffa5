/**
 * Top bar: the web menu bar (in a browser; Electron has its native one), then buttons for the commands people use
 * most, the file name and the help. Every button is a command of the registry: its tooltip gives
 * the shortcut, it is disabled with the reason while the command is, pressed while a toggle is on, and runs through
 * `runCommand` like the menus and the keyboard do.
 */
import { COMMANDS } from '../../shared/commands/commandCatalog';
import { useDocumentStore } from './store/documentStore';
import { COMMAND_HANDLERS, commandTitle, runCommand, type CommandState } from './commands/commandRegistry';
import { useCommandState } from './commands/useCommandState';
import { TOOLBAR, TOOLBAR_END, type ToolbarButtonSpec } from './commands/toolbarLayout';
import { hasNativeMenu } from './commands/host';
import { MenuBar } from './commands/MenuBar';
import './commands/commands.css';

function CommandButton({ spec, state }: { readonly spec: ToolbarButtonSpec; readonly state: CommandState }) {
  const { command } = spec;
  const handler = COMMAND_HANDLERS[command];
  const enabled = handler.enabledWhen?.(state) ?? true;
  const checked = handler.checked?.(state);
  const title = enabled === true ? commandTitle(command) : `${commandTitle(command)} — ${enabled}`;
  return (
    <button
      type="button"
      className={spec.symbol ? 'nb-toolbar-symbol' : undefined}
      onClick={() => runCommand(command, { source: 'toolbar' })}
      disabled={enabled !== true}
      title={title}
      aria-label={spec.symbol ? COMMANDS[command].label : undefined}
      aria-pressed={checked}
      data-command={command}
      data-testid={spec.testId}
    >
      {spec.text}
    </button>
  );
}

export function Toolbar() {
  const state = useCommandState();
  const name = useDocumentStore((s) => s.document.metadata.name);
  const filePath = useDocumentStore((s) => s.filePath);
  const dirty = useDocumentStore((s) => s.dirty);
  const fileName = filePath?.split(/[\\/]/).pop() ?? name;
  const native = hasNativeMenu();
  return (
    <header className="toolbar" role="toolbar" aria-label="Main toolbar">
      {native ? (
        <span className="brand">Neural Bricks</span>
      ) : (
        <>
          {/* Beside the menu bar the brand is its mark alone, so the toolbar fits one row at 1024 px. */}
          <span className="brand nb-brand-mark" title="Neural Bricks">
            <span className="nb-visually-hidden">Neural Bricks</span>
          </span>
          <MenuBar state={state} />
        </>
      )}
      {TOOLBAR.map((entry, i) =>
        entry === 'separator' ? <span key={`sep-${i}`} className="sep" aria-hidden /> : <CommandButton key={entry.command} spec={entry} state={state} />,
      )}
      <span className="sep" aria-hidden />
      <span className="file-name" title={filePath ?? 'Not saved yet'} data-testid="file-name">
        {fileName}
        {dirty ? ' •' : ''}
      </span>
      {TOOLBAR_END.map((spec) => (
        <CommandButton key={spec.command} spec={spec} state={state} />
      ))}
    </header>
  );
}
