/** The graph document and its pure edit operations. */
export * from './model';
export * from './ids';
export * from './edits';
export * from './groups';
export * from './clipboard';
export * from './queries';
