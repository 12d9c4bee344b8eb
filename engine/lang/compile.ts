/** From source text to a typed translation unit: preprocess, then parse and check. */
import type { TranslationUnit } from './ast';
import { parseTranslationUnit } from './parser';
import { preprocess } from './preprocess';
import type { TypeSystem } from './types';

export interface CompileOptions {
  ts: TypeSystem;
  systemHeaders: ReadonlyMap<string, string>;
  readFile(path: string): string | undefined;
  defines: Record<string, string>;
  explainUndeclared?: (name: string) => string | undefined;
}

/** Compiles one C file; throws CompileError with every diagnostic at file:line:col. */
export function compileTranslationUnit(file: string, text: string, opts: CompileOptions): TranslationUnit {
  const pp = preprocess(file, text, { systemHeaders: opts.systemHeaders, readFile: opts.readFile, defines: opts.defines });
  const tu = parseTranslationUnit(pp.tokens, { ts: opts.ts, file, files: pp.includedFiles, explainUndeclared: opts.explainUndeclared });
  tu.warnings.unshift(...pp.warnings);
  return tu;
}
