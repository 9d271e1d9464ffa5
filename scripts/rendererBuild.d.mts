export declare const repoRoot: string;
export declare const rendererIndex: string;
/** Why dist/renderer cannot be reused, or undefined when it is current. */
export declare function rendererBuildIsStale(): string | undefined;
/** Runs `vite build`, into dist/renderer or into `outDir` (emptied first). */
export declare function buildRenderer(outDir?: string): void;
