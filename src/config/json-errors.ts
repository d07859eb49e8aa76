// Where a config file stops being JSON, as a line and column and in words, without quoting the file (it
// may hold a client secret): V8's messages give a position only for some mistakes and quote the text.

/** What is wrong with `text` as JSON and where, e.g. `line 4, column 1: a comma before "}"`; undefined if valid. */
export function describeJsonError(text: string): string | undefined {
  const scanner = new Scanner(text);
  try {
    scanner.document();
    return undefined;
  } catch (error) {
    if (!(error instanceof JsonMistake)) throw error;
    const before = text.slice(0, error.at);
    const line = before.split('\n').length;
    const column = error.at - before.lastIndexOf('\n');
    return `line ${line}, column ${column}: ${error.message}`;
  }
}

class JsonMistake extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

const LITERALS = ['true', 'false', 'null'];

class Scanner {
  #at = 0;
  constructor(readonly text: string) {}

  document(): void {
    this.#value();
    this.#space();
    if (this.#at < this.text.length) this.#fail('more text after the end of the JSON value');
  }

  #value(): void {
    this.#space();
    const c = this.text[this.#at];
    if (c === '{') this.#container('}', true);
    else if (c === '[') this.#container(']', false);
    else if (c === '"') this.#string();
    else if (c !== undefined && /[-0-9]/.test(c)) this.#number();
    else this.#word(c);
  }

  #word(c: string | undefined): void {
    const word = /^[A-Za-z_$][\w$]*/.exec(this.text.slice(this.#at))?.[0];
    if (word && LITERALS.includes(word)) {
      this.#at += word.length;
      return;
    }
    if (c === undefined) this.#fail('the file ends where a value should be');
    if (c === "'") this.#fail('a single quote: JSON strings use double quotes');
    if (c === '/') this.#fail('a comment: JSON has none, remove it');
    this.#fail(word ? `"${word}" is not a JSON value (strings need double quotes)` : `unexpected "${c}"`);
  }

  #container(close: '}' | ']', object: boolean): void {
    this.#at++;
    this.#space();
    if (this.text[this.#at] === close) {
      this.#at++;
      return;
    }
    for (;;) {
      if (object) {
        this.#space();
        const c = this.text[this.#at];
        if (c === close) this.#fail(`a comma before "${close}": remove the trailing comma`);
        if (c === '/') this.#fail('a comment: JSON has none, remove it');
        if (c !== '"') this.#fail('a key must be a string in double quotes');
        this.#string();
        this.#space();
        if (this.text[this.#at] !== ':') this.#fail('a ":" must follow the key');
        this.#at++;
      } else {
        this.#space();
        if (this.text[this.#at] === close) this.#fail(`a comma before "${close}": remove the trailing comma`);
      }
      this.#value();
      this.#space();
      const c = this.text[this.#at];
      if (c === close) {
        this.#at++;
        return;
      }
      if (c === undefined) this.#fail(`the file ends before the closing "${close}"`);
      if (c !== ',') this.#fail(`a "," or "${close}" is missing before this`);
      this.#at++;
    }
  }

  #string(): void {
    const start = this.#at++;
    for (;;) {
      const c = this.text[this.#at];
      if (c === undefined || c === '\n') {
        throw new JsonMistake('a string is not closed with a double quote', start);
      }
      this.#at++;
      if (c === '"') return;
      if (c === '\\') this.#at++;
    }
  }

  #number(): void {
    const found = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.#at))?.[0];
    if (!found) this.#fail('not a number');
    this.#at += found.length;
  }

  #space(): void {
    while (/\s/.test(this.text[this.#at] ?? '')) this.#at++;
  }

  #fail(message: string): never {
    throw new JsonMistake(message, this.#at);
  }
}
