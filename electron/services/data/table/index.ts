/** CSV/TSV tables as training data (issue 14): streaming inspection, loading with fitted preprocessing. */
export * from './readTable';
export * from './inspectTable';
export * from './loadTable';
