/**
 * The `#if` expression evaluator (C11 6.10.1): integer arithmetic in intmax_t/uintmax_t
 * (64-bit, BigInt), with the usual conversion to unsigned when either operand is unsigned.
 * Its input is the directive's tokens after macro expansion, with `defined` and
 * `__has_include` already replaced by 0 or 1; any identifier left is 0.
 */
import { CompileError, errorAt, type SourceLoc } from './diagnostics';
import { LiteralError, parseCharLiteral, parseFloatLiteral, parseIntLiteral } from './literals';
import type { Token } from './token';

interface PPValue {
  value: bigint;
  unsigned: boolean;
}

const INTMAX_MAX = (1n << 63n) - 1n;

/** Punctuators that mean something in an #if expression. */
const OPERATORS = new Set([
  '||', '&&', '|', '^', '&', '==', '!=', '<', '>', '<=', '>=', '<<', '>>', '+', '-', '*', '/', '%',
  '~', '!', '?', ':', '(', ')', ',',
]);
const MAX_NESTING = 500;

/** Binary operators by precedence, loosest first (the ternary and comma are handled apart). */
const BINARY_PRECEDENCE: ReadonlyMap<string, number> = new Map([
  ['||', 1], ['&&', 2], ['|', 3], ['^', 4], ['&', 5], ['==', 6], ['!=', 6],
  ['<', 7], ['>', 7], ['<=', 7], ['>=', 7], ['<<', 8], ['>>', 8], ['+', 9], ['-', 9],
  ['*', 10], ['/', 10], ['%', 10],
]);

/** Whether the condition of `#if`/`#elif` (named by `directive`) holds. */
export function evaluateCondition(tokens: readonly Token[], directive: SourceLoc, directiveName: string): boolean {
  if (tokens.length === 0) throw errorAt(directive, `#${directiveName} with no expression`);
  const parser = new ConditionParser(tokens, directive);
  return parser.parseWhole().value !== 0n;
}

function wrap(value: bigint, unsigned: boolean): PPValue {
  return { value: unsigned ? BigInt.asUintN(64, value) : BigInt.asIntN(64, value), unsigned };
}

function truth(b: boolean): PPValue {
  return { value: b ? 1n : 0n, unsigned: false };
}

class ConditionParser {
  private pos = 0;
  private depth = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly directive: SourceLoc,
  ) {}

  parseWhole(): PPValue {
    const result = this.parseComma(true);
    const extra = this.peek();
    if (extra) {
      if (extra.text === ')') throw errorAt(extra, "missing '(' in expression");
      if (extra.text === ':') throw errorAt(extra, "':' without preceding '?'");
      if (extra.kind === 'punct' && !OPERATORS.has(extra.text)) throw notValid(extra);
      throw errorAt(extra, `missing binary operator before token "${extra.text}"`);
    }
    return result;
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private isPunct(text: string): boolean {
    const t = this.tokens[this.pos];
    return t !== undefined && t.kind === 'punct' && t.text === text;
  }

  /** Where to report a missing operand: the last token, or the directive itself. */
  private endLoc(): SourceLoc {
    return this.tokens[this.tokens.length - 1] ?? this.directive;
  }

  private parseComma(evaluate: boolean): PPValue {
    let value = this.parseConditional(evaluate);
    while (this.isPunct(',')) {
      this.pos++;
      value = this.parseConditional(evaluate);
    }
    return value;
  }

  private parseConditional(evaluate: boolean): PPValue {
    const cond = this.parseBinary(1, evaluate);
    if (!this.isPunct('?')) return cond;
    const question = this.tokens[this.pos++];
    const taken = cond.value !== 0n;
    const ifTrue = this.nested(() => this.parseComma(evaluate && taken));
    if (!this.isPunct(':')) throw errorAt(this.peek() ?? question, "'?' without following ':'");
    this.pos++;
    const ifFalse = this.nested(() => this.parseConditional(evaluate && !taken));
    const unsigned = ifTrue.unsigned || ifFalse.unsigned;
    return wrap(taken ? ifTrue.value : ifFalse.value, unsigned);
  }

  private parseBinary(minPrecedence: number, evaluate: boolean): PPValue {
    let left = this.parseUnary(evaluate);
    for (;;) {
      const op = this.peek();
      const precedence = op && op.kind === 'punct' ? BINARY_PRECEDENCE.get(op.text) : undefined;
      if (op === undefined || precedence === undefined || precedence < minPrecedence) return left;
      this.pos++;
      if (op.text === '&&' || op.text === '||') {
        const decided = op.text === '&&' ? left.value === 0n : left.value !== 0n;
        const right = this.parseBinary(precedence + 1, evaluate && !decided);
        left = truth(op.text === '&&' ? !decided && right.value !== 0n : decided || right.value !== 0n);
      } else {
        const right = this.parseBinary(precedence + 1, evaluate);
        left = applyBinary(op, left, right, evaluate);
      }
    }
  }

  /** An operand was expected at `pos` but is missing: say so the way gcc does. */
  private missingOperand(): CompileError {
    const before = this.tokens[this.pos - 1];
    const at = this.peek() ?? this.endLoc();
    if (before === undefined) return errorAt(at, '#if with no expression');
    if (before.text === '(') return errorAt(at, "missing ')' in expression");
    return errorAt(at, `operator '${before.text}' has no right operand`);
  }

  private parseUnary(evaluate: boolean): PPValue {
    const t = this.peek();
    if (!t) throw this.missingOperand();
    if (t.kind === 'punct' && (t.text === '-' || t.text === '+' || t.text === '~' || t.text === '!')) {
      this.pos++;
      const operand = this.nested(() => this.parseUnary(evaluate));
      switch (t.text) {
        case '-': return wrap(-operand.value, operand.unsigned);
        case '+': return operand;
        case '~': return wrap(~operand.value, operand.unsigned);
        default: return truth(operand.value === 0n);
      }
    }
    return this.parsePrimary(evaluate);
  }

  private parsePrimary(evaluate: boolean): PPValue {
    const t = this.tokens[this.pos];
    if (t.kind === 'punct' && OPERATORS.has(t.text) && t.text !== '(') throw this.missingOperand();
    this.pos++;
    if (t.kind === 'punct' && t.text === '(') {
      if (this.isPunct(')')) throw errorAt(t, "missing expression between '(' and ')'");
      const inner = this.nested(() => this.parseComma(evaluate));
      if (!this.isPunct(')')) throw errorAt(this.peek() ?? t, "missing ')' in expression");
      this.pos++;
      return inner;
    }
    if (t.kind === 'number') return numberValue(t);
    if (t.kind === 'char') return charValue(t);
    // Identifiers that are not macros (and keywords, `true` included, in C) are 0.
    if (t.kind === 'ident') return truth(false);
    throw notValid(t);
  }

  /** Guards the host stack against `((((...` and `- - - -...` bombs. */
  private nested<T>(parse: () => T): T {
    if (++this.depth > MAX_NESTING) throw errorAt(this.peek() ?? this.endLoc(), '#if expression nested too deeply');
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }
}

function notValid(t: Token): CompileError {
  return errorAt(t, `token "${t.text}" is not valid in preprocessor expressions`);
}

function numberValue(t: Token): PPValue {
  const int = parseIntLiteral(t.text);
  if (!int) {
    if (parseFloatLiteral(t.text)) throw errorAt(t, 'floating constant in preprocessor expression');
    const octal = /^0[0-7]*([89])/.exec(t.text);
    if (octal) throw errorAt(t, `invalid digit "${octal[1]}" in octal constant`);
    const digits = /^(0[xX][0-9a-fA-F]*|0[bB][01]*|[0-9]*)/.exec(t.text)![0];
    throw errorAt(t, `invalid suffix "${t.text.slice(digits.length)}" on integer constant`);
  }
  if (int.value >= 1n << 64n) throw errorAt(t, 'integer constant is too large for its type');
  // Every constant is intmax_t or uintmax_t here; one that does not fit intmax_t is unsigned.
  return wrap(int.value, int.unsigned || int.value > INTMAX_MAX);
}

function charValue(t: Token): PPValue {
  try {
    const c = parseCharLiteral(t.text);
    // char16_t and char32_t are unsigned, so their constants are uintmax_t in #if (as gcc).
    return wrap(BigInt(c.value), c.prefix === 'u' || c.prefix === 'U');
  } catch (e) {
    if (e instanceof LiteralError) throw errorAt(t, e.message);
    throw e;
  }
}

function applyBinary(op: Token, a: PPValue, b: PPValue, evaluate: boolean): PPValue {
  if (op.text === '<<' || op.text === '>>') return shift(op.text, a, b);
  const unsigned = a.unsigned || b.unsigned;
  const x = wrap(a.value, unsigned).value;
  const y = wrap(b.value, unsigned).value;
  switch (op.text) {
    case '*': return wrap(x * y, unsigned);
    case '/':
    case '%':
      if (y === 0n) {
        if (evaluate) throw errorAt(op, 'division by zero in #if');
        return a; // unevaluated: gcc yields the left operand, keeping its signedness
      }
      return wrap(op.text === '/' ? x / y : x % y, unsigned);
    case '+': return wrap(x + y, unsigned);
    case '-': return wrap(x - y, unsigned);
    case '<': return truth(x < y);
    case '>': return truth(x > y);
    case '<=': return truth(x <= y);
    case '>=': return truth(x >= y);
    case '==': return truth(x === y);
    case '!=': return truth(x !== y);
    case '&': return wrap(x & y, unsigned);
    case '^': return wrap(x ^ y, unsigned);
    default: return wrap(x | y, unsigned);
  }
}

/** The result has the left operand's type; a negative count shifts the other way (as gcc). */
function shift(op: '<<' | '>>', a: PPValue, b: PPValue): PPValue {
  let count = b.value;
  let left = op === '<<';
  if (count < 0n) {
    count = -count;
    left = !left;
  }
  const bounded = count > 64n ? 64n : count;
  if (left) return wrap(a.value << bounded, a.unsigned);
  return wrap(a.value >> bounded, a.unsigned);
}
