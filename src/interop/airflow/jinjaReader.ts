/**
 * The part of Jinja's expression language DAG files use inside `{{ }}`: names and attributes,
 * literals and lists, calls (with keyword arguments), subscripts, filters, comparisons, `in` and
 * `not`. Anything else is a syntax error the caller reports; nothing is evaluated.
 */
export type Ast =
  | { t: 'name'; path: string[] }
  | { t: 'str'; v: string }
  | { t: 'num'; v: number }
  | { t: 'list'; items: Ast[] }
  | { t: 'call'; fn: Ast; args: Ast[]; kwargs: Map<string, Ast> }
  | { t: 'filter'; base: Ast; name: string; args: Ast[] }
  | { t: 'attr'; obj: Ast; name: string }
  | { t: 'index'; obj: Ast; key: Ast }
  | { t: 'compare'; op: string; left: Ast; right: Ast }
  | { t: 'not'; arg: Ast };

const COMPARISONS = ['==', '!=', '>=', '<=', '>', '<'];

export class JinjaReader {
  private i = 0;
  constructor(private readonly s: string) {}

  parse(): Ast {
    const e = this.expr();
    this.ws();
    if (this.i < this.s.length) throw new Error(`unexpected "${this.s.slice(this.i)}"`);
    return e;
  }

  private ws(): void {
    while (/\s/.test(this.s[this.i] ?? '')) this.i++;
  }

  private eat(c: string): boolean {
    this.ws();
    if (this.s.startsWith(c, this.i)) {
      this.i += c.length;
      return true;
    }
    return false;
  }

  /** A keyword, only as a whole word. */
  private word(w: string): boolean {
    this.ws();
    if (this.s.startsWith(w, this.i) && !/\w/.test(this.s[this.i + w.length] ?? '')) {
      this.i += w.length;
      return true;
    }
    return false;
  }

  private expr(): Ast {
    if (this.word('not')) return { t: 'not', arg: this.expr() };
    const left = this.filtered();
    for (const op of COMPARISONS) if (this.eat(op)) return { t: 'compare', op, left, right: this.filtered() };
    if (this.word('in')) return { t: 'compare', op: 'in', left, right: this.filtered() };
    return left;
  }

  private filtered(): Ast {
    let e = this.postfix();
    while (this.eat('|')) {
      const name = this.ident();
      e = { t: 'filter', base: e, name, args: this.eat('(') ? this.args().args : [] };
    }
    return e;
  }

  private args(): { args: Ast[]; kwargs: Map<string, Ast> } {
    const args: Ast[] = [];
    const kwargs = new Map<string, Ast>();
    if (this.eat(')')) return { args, kwargs };
    do {
      const keyword = /^\s*([A-Za-z_]\w*)\s*=(?!=)/.exec(this.s.slice(this.i));
      if (keyword) {
        this.i += keyword[0].length;
        kwargs.set(keyword[1]!, this.expr());
      } else args.push(this.expr());
    } while (this.eat(','));
    if (!this.eat(')')) throw new Error('")" expected');
    return { args, kwargs };
  }

  private postfix(): Ast {
    let e = this.primary();
    for (;;) {
      if (this.eat('.')) e = { t: 'attr', obj: e, name: this.ident() };
      else if (this.eat('(')) e = { t: 'call', fn: e, ...this.args() };
      else if (this.eat('[')) {
        const key = this.expr();
        if (!this.eat(']')) throw new Error('"]" expected');
        e = { t: 'index', obj: e, key };
      } else return e;
    }
  }

  private primary(): Ast {
    this.ws();
    const c = this.s[this.i];
    if (c === '(') {
      this.i++;
      const e = this.expr();
      if (!this.eat(')')) throw new Error('")" expected');
      return e;
    }
    if (c === '[') {
      this.i++;
      const items: Ast[] = [];
      if (!this.eat(']')) {
        do items.push(this.expr());
        while (this.eat(','));
        if (!this.eat(']')) throw new Error('"]" expected');
      }
      return { t: 'list', items };
    }
    if (c === '"' || c === "'") {
      let v = '';
      for (this.i++; this.i < this.s.length && this.s[this.i] !== c; this.i++) {
        if (this.s[this.i] === '\\') this.i++;
        v += this.s[this.i] ?? '';
      }
      if (this.i >= this.s.length) throw new Error('unterminated string');
      this.i++;
      return { t: 'str', v };
    }
    const num = /^-?\d+(\.\d+)?/.exec(this.s.slice(this.i));
    if (num) {
      this.i += num[0].length;
      return { t: 'num', v: Number(num[0]) };
    }
    return { t: 'name', path: [this.ident()] };
  }

  private ident(): string {
    this.ws();
    const m = /^[A-Za-z_]\w*/.exec(this.s.slice(this.i));
    if (!m) throw new Error(`a name expected at "${this.s.slice(this.i, this.i + 10)}"`);
    this.i += m[0].length;
    return m[0];
  }
}
