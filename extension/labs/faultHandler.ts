/**
 * Finds where a driver's .fault handler starts, so the walkthrough (and the tests) can put a
 * breakpoint in it: the function named by `.fault = name` in a vm_operations_struct, and the
 * line after its opening brace (the adapter moves a breakpoint to the first statement from
 * there). No vscode import: unit-tested.
 */

export interface FaultHandler {
  name: string;
  /** 1-based line of the function's definition. */
  definitionLine: number;
  /** 1-based line to put a breakpoint on. */
  bodyLine: number;
}

export function findFaultHandler(source: string): FaultHandler | undefined {
  const stripped = source.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/\/\/[^\n]*/g, '');
  const name = /\.fault\s*=\s*&?\s*([A-Za-z_]\w*)/.exec(stripped)?.[1];
  if (!name) return undefined;
  const lines = stripped.split('\n');
  const def = new RegExp(`\\b${name}\\s*\\([^;]*$`);
  for (let i = 0; i < lines.length; i++) {
    if (!def.test(lines[i]) || /^\s/.test(lines[i])) continue;
    for (let j = i; j < lines.length && j < i + 6; j++) {
      if (lines[j].includes('{')) return { name, definitionLine: i + 1, bodyLine: j + 2 };
    }
  }
  return undefined;
}
