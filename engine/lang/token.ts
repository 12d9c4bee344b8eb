import type { SourceLoc } from './diagnostics';

/** One macro expansion step: which macro was expanded, and where it was invoked. */
export interface MacroExpansion {
  macro: string;
  /** Where the invocation (the macro's name) stands. */
  at: SourceLoc;
  /** The expansion this invocation itself came from, if it was produced by another macro. */
  parent?: MacroExpansion;
}

export type TokenKind = 'ident' | 'number' | 'char' | 'string' | 'punct' | 'eof';

/**
 * A preprocessed token as the parser sees it.
 *
 * `file`/`line`/`col` are where the token stands in the text the user wrote: for a token that
 * came out of a macro expansion, the place of the outermost invocation, so diagnostics and line
 * breakpoints land on the line the user sees. `spelling` is where its characters were written
 * (a macro body or argument) when that differs.
 */
export interface Token extends SourceLoc {
  kind: TokenKind;
  /** Exact spelling: `0x1fUL`, `'\n'`, `L"ab"`, `->`, `...`. */
  text: string;
  spelling?: SourceLoc;
  expansion?: MacroExpansion;
  /** Whitespace preceded the token (needed for `#` stringizing and for pretty printing). */
  spaceBefore?: boolean;
  /** First token on its source line (used by the preprocessor for directives). */
  lineStart?: boolean;
}
