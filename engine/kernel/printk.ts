/**
 * The kernel log. printk's level comes from a KERN_SOH prefix; a message without a trailing
 * newline is continued by the next one that has no level of its own (KERN_CONT), as in 3.7.
 * Each record carries the emulated time and, when C code printed it, the source line.
 */
import type { SourceLoc } from '../util/loc';

export interface LogRecord {
  level: number;
  text: string;
  timeNs: number;
  loc?: SourceLoc;
  /** pid of the task that printed (0 for the kernel itself). */
  pid: number;
}

export const DEFAULT_MESSAGE_LOGLEVEL = 4;

export class PrintkLog {
  readonly records: LogRecord[] = [];
  private partial: LogRecord | undefined;
  /** Called for every completed record (the debugger streams them). */
  onRecord: ((r: LogRecord) => void) | undefined;
  /** Total bytes kept; past the limit old records are dropped, like the ring buffer. */
  private bytes = 0;

  constructor(private readonly limitBytes = 1 << 20) {}

  /** Appends printk output (already formatted), splitting lines and honouring levels. */
  write(raw: string, timeNs: number, pid: number, loc?: SourceLoc): void {
    let text = raw;
    let level: number | undefined;
    if (text.length >= 2 && text.charCodeAt(0) === 1) {
      const c = text[1];
      if (c >= '0' && c <= '7') level = c.charCodeAt(0) - 48;
      else if (c === 'd') level = DEFAULT_MESSAGE_LOGLEVEL;
      text = text.slice(2);
      if (c === 'c') level = undefined;
    }
    if (this.partial && level !== undefined) this.flushPartial();
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const piece = lines[i];
      const last = i === lines.length - 1;
      if (last && piece === '') break;
      if (this.partial) {
        this.partial.text += piece;
        if (!last) this.flushPartial();
        continue;
      }
      const rec: LogRecord = { level: level ?? DEFAULT_MESSAGE_LOGLEVEL, text: piece, timeNs, loc, pid };
      if (last) this.partial = rec;
      else this.push(rec);
    }
  }

  /** Ends a pending line (a later message with a level, or the end of the run). */
  flushPartial(): void {
    if (this.partial) {
      const r = this.partial;
      this.partial = undefined;
      this.push(r);
    }
  }

  private push(r: LogRecord): void {
    this.records.push(r);
    this.bytes += r.text.length + 16;
    while (this.bytes > this.limitBytes && this.records.length > 1) {
      const old = this.records.shift()!;
      this.bytes -= old.text.length + 16;
    }
    this.onRecord?.(r);
  }
}

/** `[    1.234567]` — the timestamp printk prints with CONFIG_PRINTK_TIME. */
export function formatTimestamp(timeNs: number): string {
  const sec = Math.floor(timeNs / 1e9);
  const usec = Math.floor((timeNs % 1e9) / 1e3);
  return `[${String(sec).padStart(5, ' ')}.${String(usec).padStart(6, '0')}]`;
}
