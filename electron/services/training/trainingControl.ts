/**
 * How a host steers a running training loop. The loop checks it between batches, so pause and stop take effect at
 * the next batch boundary (one batch of latency, never a half-applied update).
 */
export class TrainingControl {
  private stopRequested = false;
  private pauseRequested = false;
  private wake: (() => void) | undefined;

  get stopped(): boolean {
    return this.stopRequested;
  }
  get paused(): boolean {
    return this.pauseRequested && !this.stopRequested;
  }

  stop(): void {
    this.stopRequested = true;
    this.release();
  }
  pause(): void {
    this.pauseRequested = true;
  }
  resume(): void {
    this.pauseRequested = false;
    this.release();
  }

  /** Resolves immediately unless paused; otherwise when resumed or stopped. */
  async waitWhilePaused(): Promise<void> {
    while (this.paused) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  private release(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
