// The workbench calls window.codeAutomationLog(level, args) for every log message while a suite
// runs: its own start-up chatter and, forwarded from the extension host, whatever the suite
// prints with console.log. Forwarded calls keep console's printf-style arguments (mocha's
// reporter prints '    ✔ %s', title), so they are formatted here as Node's console would.

/** Turns the arguments of one console-style call into one line of text. */
export function formatAutomationLog(args: unknown): string {
  const parts = Array.isArray(args) ? [...args] : [args];
  if (parts.length === 0) {
    return '';
  }
  const [first, ...rest] = parts;
  if (typeof first !== 'string') {
    return parts.map(stringifyLogPart).join(' ');
  }
  const remaining = [...rest];
  const formatted = first.replace(/%([sdifjoOc%])/g, (specifier, letter: string) => {
    if (letter === '%') {
      return '%';
    }
    if (remaining.length === 0) {
      return specifier;
    }
    return substitute(letter, remaining.shift());
  });
  return [formatted, ...remaining.map(stringifyLogPart)].join(' ');
}

function substitute(letter: string, value: unknown): string {
  switch (letter) {
    case 'c':
      return ''; // browser console CSS
    case 'd':
    case 'i':
      return typeof value === 'number' ? String(Math.trunc(value)) : String(parseInt(String(value), 10));
    case 'f':
      return String(Number(value));
    case 'j':
    case 'o':
    case 'O':
      return stringifyLogPart(value);
    default:
      return typeof value === 'string' ? value : stringifyLogPart(value);
  }
}

function stringifyLogPart(part: unknown): string {
  if (typeof part === 'string') {
    return part;
  }
  if (part === undefined || typeof part === 'number' || typeof part === 'boolean' || typeof part === 'bigint') {
    return String(part);
  }
  try {
    return JSON.stringify(part);
  } catch {
    return String(part);
  }
}
