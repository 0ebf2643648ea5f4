/**
 * A tiny arithmetic language for expectations: numbers (with an optional duration suffix: `1s`
 * is 1000), dotted names resolved by the caller (`who.wrong`, `ttlMs`), `+ - * /`, unary minus
 * and parentheses. Parsed once into a tree by recursive descent and evaluated per run; nothing
 * is ever handed to `eval`, so a scenario file cannot run code.
 *
 *   expr   := term (('+' | '-') term)*
 *   term   := unary (('*' | '/') unary)*
 *   unary  := '-' unary | atom
 *   atom   := number | name | '(' expr ')'
 */

export type Expr =
  | { kind: 'number'; value: number }
  | { kind: 'name'; name: string }
  | { kind: 'neg'; operand: Expr }
  | { kind: 'binary'; op: '+' | '-' | '*' | '/'; left: Expr; right: Expr };

export class ExpressionError extends Error {
  readonly code = 'HC_SCENARIO_EXPRESSION';
}

/** Expressions are one line of a file; this bounds the parser's work and recursion. */
export const expressionCharsMax = 200;

const tokenPattern = /\s*(?:(\d+(?:\.\d+)?)(ms|s|m|h|d)?(?![\w.])|([A-Za-z_]\w*(?:\.\w+)*)|([-+*/()]))/y;
const unitMs: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

type Token = { kind: 'number'; value: number } | { kind: 'name'; name: string } | { kind: 'op'; op: string };

function tokenize(text: string): Token[] {
  if (text.length > expressionCharsMax) {
    throw new ExpressionError(
      `expression is ${text.length} characters; expressionCharsMax is ${expressionCharsMax}`,
    );
  }
  const tokens: Token[] = [];
  tokenPattern.lastIndex = 0;
  while (tokenPattern.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(tokenPattern.lastIndex))) break;
    const at = tokenPattern.lastIndex;
    const match = tokenPattern.exec(text);
    if (!match)
      throw new ExpressionError(`cannot read ${JSON.stringify(text.slice(at))} in ${JSON.stringify(text)}`);
    if (match[1] !== undefined)
      tokens.push({ kind: 'number', value: Number(match[1]) * unitMs[match[2] ?? 'ms']! });
    else if (match[3] !== undefined) tokens.push({ kind: 'name', name: match[3] });
    else tokens.push({ kind: 'op', op: match[4]! });
  }
  return tokens;
}

export function parseExpression(text: string): Expr {
  const tokens = tokenize(text);
  let index = 0;
  const peekOp = (): string | undefined => {
    const token = tokens[index];
    return token?.kind === 'op' ? token.op : undefined;
  };
  const fail = (what: string): never => {
    throw new ExpressionError(`${what} in ${JSON.stringify(text)}`);
  };
  const atom = (): Expr => {
    const token = tokens[index++];
    if (token === undefined) return fail('unexpected end');
    if (token.kind === 'number') return { kind: 'number', value: token.value };
    if (token.kind === 'name') return { kind: 'name', name: token.name };
    if (token.op === '(') {
      const inner = sum();
      if (peekOp() !== ')') fail('missing )');
      index++;
      return inner;
    }
    return fail(`unexpected ${token.op}`);
  };
  const unary = (): Expr => {
    if (peekOp() === '-') {
      index++;
      return { kind: 'neg', operand: unary() };
    }
    return atom();
  };
  const product = (): Expr => {
    let left = unary();
    for (let op = peekOp(); op === '*' || op === '/'; op = peekOp()) {
      index++;
      left = { kind: 'binary', op, left, right: unary() };
    }
    return left;
  };
  const sum = (): Expr => {
    let left = product();
    for (let op = peekOp(); op === '+' || op === '-'; op = peekOp()) {
      index++;
      left = { kind: 'binary', op, left, right: product() };
    }
    return left;
  };
  const tree = sum();
  if (index !== tokens.length) fail('unexpected text after the expression');
  return tree;
}

/** Resolves a name to a number, or undefined when the run has no such value. */
export type Resolve = (name: string) => number | undefined;

export function evaluate(expr: Expr, resolve: Resolve): number {
  switch (expr.kind) {
    case 'number':
      return expr.value;
    case 'name': {
      const value = resolve(expr.name);
      if (value === undefined) throw new ExpressionError(`${expr.name} is not a number in this run`);
      return value;
    }
    case 'neg':
      return -evaluate(expr.operand, resolve);
    case 'binary': {
      const left = evaluate(expr.left, resolve);
      const right = evaluate(expr.right, resolve);
      if (expr.op === '+') return left + right;
      if (expr.op === '-') return left - right;
      if (expr.op === '*') return left * right;
      return left / right;
    }
  }
}

/** Every name an expression reads (to check them when the file is loaded). */
export function namesIn(expr: Expr): string[] {
  if (expr.kind === 'name') return [expr.name];
  if (expr.kind === 'neg') return namesIn(expr.operand);
  if (expr.kind === 'binary') return [...namesIn(expr.left), ...namesIn(expr.right)];
  return [];
}
