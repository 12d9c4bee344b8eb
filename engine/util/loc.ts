/** A place in the user's source text: file, 1-based line and column. */
export interface SourceLoc {
  file: string;
  line: number;
  col: number;
}
