// A sessions.json that does not parse must stop the gateway with a message a person can act on: which file, where
// in it, and that it was left as it was. V8's JSON.parse often omits the position, so it is found here.

export class CorruptStoreError extends Error {
  constructor(
    readonly file: string,
    readonly detail: string,
    /** Character offset of the first error, when the problem is at a place in the text. */
    readonly position?: number,
    readonly line?: number,
    readonly column?: number,
  ) {
    const where = position === undefined ? '' : ` at line ${line}, column ${column} (character ${position})`;
    super(
      `corrupt session store ${file}: ${detail}${where}. The file was left untouched; ` +
        'repair it, restore a backup, or move it away to start with an empty store.',
    );
    this.name = 'CorruptStoreError';
  }

  static at(file: string, text: string, detail: string, position: number): CorruptStoreError {
    const before = text.slice(0, position);
    const line = before.split('\n').length;
    const column = position - before.lastIndexOf('\n');
    return new CorruptStoreError(file, detail, position, line, column);
  }
}

/** JSON.parse, or a CorruptStoreError naming the file and the first offending character. */
export function parseStoreJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const position = firstSyntaxErrorOffset(text);
    const reason = (error as Error).message.replace(/ in JSON at position \d+.*$/s, '').replace(/, ".*" is not valid JSON$/s, '');
    if (position < 0) throw new CorruptStoreError(file, `not valid JSON (${reason})`);
    throw CorruptStoreError.at(file, text, `not valid JSON (${reason})`, position);
  }
}

class SyntaxAt {
  constructor(readonly offset: number) {}
}

/** Scans JSON without building values and returns where it first goes wrong (text.length for a truncated file). */
export function firstSyntaxErrorOffset(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw new SyntaxAt(i);
  };
  const skipSpace = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  };
  const expect = (c: string) => {
    if (text[i] !== c) fail();
    i++;
  };
  const literal = (word: string) => {
    for (const c of word) expect(c);
  };
  const number = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const string = () => {
    expect('"');
    for (;;) {
      const c = text[i];
      if (c === undefined || c < ' ') fail();
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        i++;
        if (text[i] === 'u') {
          i++;
          for (let k = 0; k < 4; k++, i++) if (!/[0-9a-fA-F]/.test(text[i] ?? '')) fail();
        } else if (text[i] !== undefined && '"\\/bfnrt'.includes(text[i])) i++;
        else fail();
      } else i++;
    }
  };
  const value = (): void => {
    skipSpace();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      skipSpace();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (c === '{') {
          skipSpace();
          string();
          skipSpace();
          expect(':');
        }
        value();
        skipSpace();
        if (text[i] === ',') i++;
        else return expect(close);
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    number.lastIndex = i;
    if (!number.test(text)) fail();
    i = number.lastIndex;
  };
  try {
    value();
    skipSpace();
    if (i < text.length) fail();
    return -1;
  } catch (error) {
    if (error instanceof SyntaxAt) return error.offset;
    return 0; // nesting deep enough to exhaust the stack: the position is unknown, point at the start
  }
}
