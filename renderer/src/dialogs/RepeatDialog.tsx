/** Repeat ×N: how many copies of a block to chain after it. */
import { useState } from 'react';
import { blockActions } from '../canvas/blockActions';
import { DialogFrame, closeDialog } from './DialogFrame';

export function RepeatDialog({ groupId }: { groupId: string }) {
  const [times, setTimes] = useState(1);
  const submit = () => {
    closeDialog();
    blockActions.repeat(groupId, times);
  };
  return (
    <DialogFrame label="Repeat block">
      <h2>Repeat block</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
        style={{ display: 'flex', gap: 8, alignItems: 'center' }}
      >
        <label htmlFor="repeat-times">Add copies in sequence</label>
        <input
          id="repeat-times"
          type="number"
          min={1}
          max={32}
          value={times}
          autoFocus
          onChange={(e) => setTimes(Math.max(1, Math.min(32, Math.floor(Number(e.target.value)) || 1)))}
          style={{ width: 70 }}
        />
        <button type="submit" className="btn">
          Repeat
        </button>
      </form>
    </DialogFrame>
  );
}
