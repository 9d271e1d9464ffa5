/** The check is pure and lives in shared/ (the renderer uses it too); this path stays for the trainer's import. */
export { assertGraphFitsDataset, checkGraphFitsDataset, type DatasetFitIssue } from '../../../shared/datasets/checkGraphFitsDataset';
