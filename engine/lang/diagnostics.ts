/**
 * Diagnostics of the C front end. Every error names a place in the user's source as
 * `file:line:col` (1-based), the way gcc does, so editors and graders can jump to it.
 */
import type { SourceLoc } from '../util/loc';

export type { SourceLoc };

export type Severity = 'error' | 'warning' | 'note';

export interface Diagnostic extends SourceLoc {
  severity: Severity;
  message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.severity}: ${d.message}`;
}

/** Thrown when compilation cannot go on; carries every diagnostic gathered so far. */
export class CompileError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'CompileError';
  }
}

export function errorAt(loc: SourceLoc, message: string): CompileError {
  return new CompileError([{ ...loc, severity: 'error', message }]);
}
