/**
 * The regular expressions `str.contains`, `str.replaceAll` and `str.extract` accept: the part of Rust's regex syntax
 * (Polars') that DuckDB (RE2), PostgreSQL (advanced REs) and Snowflake (POSIX extended REs) read the same way. A
 * pattern is parsed here, refused by name where it leaves the subset, and written out again in a spelling all three
 * engines share:
 *
 * - literal characters; `\` before punctuation for the character itself, `\n` and `\t`;
 * - `.`, any character but a newline (written `[^\n]`: PostgreSQL's `.` matches a newline);
 * - bracket classes of characters and ranges, `^` first to negate (`[a-z0-9_]`, `[^,]`);
 * - `^` and `$`, the start and end of the text;
 * - `*`, `+`, `?`, `{m}`, `{m,}`, `{m,n}` (greedy; at most 255, PostgreSQL's limit), `|`, and groups `( )`.
 *
 * Refused: `\d \w \s \b` and other escapes (Unicode-aware in Polars, ASCII in RE2: write `[0-9]`), `(?…)` groups and
 * flags, lazy quantifiers (POSIX has none), nested classes and class operators, POSIX classes (`[[:alpha:]]`).
 *
 * Whether a match exists never depends on how an engine picks among matches, but which text is replaced or extracted
 * does: Rust, RE2 and Python take the first alternative that leads to a match ("leftmost-first"); PostgreSQL and POSIX
 * the longest ("leftmost-longest": `a|ab` on "ab" is "a" in Polars, "ab" in PostgreSQL). Without `|` and without a
 * quantified group they find the same match and groups; a random test of 4,800 pattern–text pairs agreed on
 * DuckDB and PostgreSQL with Python's re. So `replaceAll` and `extract` take only such `determined` patterns, and
 * `replaceAll` none that matches the empty string (engines differ on where empty matches are replaced).
 */

export interface RegexPattern {
  /** The pattern as every engine reads it. */
  readonly pattern: string;
  /** The number of capture groups. */
  readonly groups: number;
  /** Whether it can match the empty string. */
  readonly matchesEmpty: boolean;
  /** Why the match's extent could differ between leftmost-first and leftmost-longest engines, if it could. */
  readonly undetermined?: string;
}

// Written with "\" before them; "]" and "}" alone are themselves in all three (POSIX leaves "\]" undefined).
const ERE_SPECIAL = ".[()*+?{|^$\\";
const MAX_REPEAT = 255;

/** The pattern in the portable subset, or why it is not in it (naming the construct). */
export function parseRegex(source: string): RegexPattern | string {
  const p = new Parser(source);
  try {
    const node = p.alternation();
    if (p.i < source.length) p.fail(`an unmatched ")" at position ${p.i}`);
    return { pattern: node.out, groups: p.groups, matchesEmpty: node.empty, ...(p.undetermined ? { undetermined: p.undetermined } : {}) };
  } catch (e) {
    if (e instanceof RegexRefusal) return e.message;
    throw e;
  }
}

class RegexRefusal extends Error {}

interface Node {
  readonly out: string;
  readonly empty: boolean;
  /** A quantifier may follow (not after an anchor or another quantifier). */
  readonly quantifiable: boolean;
  readonly group?: boolean;
}

class Parser {
  i = 0;
  groups = 0;
  undetermined: string | undefined;
  constructor(private readonly s: string) {}

  fail(what: string): never {
    throw new RegexRefusal(`${what} in the regular expression ${JSON.stringify(this.s)}`);
  }

  alternation(): Node {
    const branches = [this.concatenation()];
    while (this.s[this.i] === "|") {
      this.i++;
      this.undetermined ??= `"|" (Polars takes the first alternative that matches, PostgreSQL and Snowflake the longest)`;
      branches.push(this.concatenation());
    }
    // POSIX leaves an empty alternative or group undefined.
    if (branches.some((b) => b.out === "")) this.fail(`an empty alternative or group`);
    return { out: branches.map((b) => b.out).join("|"), empty: branches.some((b) => b.empty), quantifiable: false };
  }

  concatenation(): Node {
    let out = "";
    let empty = true;
    while (this.i < this.s.length && this.s[this.i] !== "|" && this.s[this.i] !== ")") {
      const atom = this.quantified(this.atom());
      out += atom.out;
      empty &&= atom.empty;
    }
    return { out, empty, quantifiable: false };
  }

  quantified(atom: Node): Node {
    const c = this.s[this.i];
    if (c === undefined || !"*+?{".includes(c)) return atom;
    if (!atom.quantifiable) this.fail(`a quantifier "${c}" after nothing to repeat (position ${this.i})`);
    let min: number;
    let text: string;
    if (c === "{") {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.s.slice(this.i));
      if (!m) this.fail(`"{" at position ${this.i} that is no repetition {m}, {m,} or {m,n} (write \\{ for the character)`);
      min = Number(m[1]);
      const max = m[2] === undefined ? min : m[3] === "" ? Infinity : Number(m[3]);
      if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT)) this.fail(`a repetition beyond ${MAX_REPEAT} (PostgreSQL's limit)`);
      if (max < min) this.fail(`the repetition ${m[0]}, whose maximum is below its minimum`);
      text = m[0];
    } else {
      min = c === "+" ? 1 : 0;
      text = c;
    }
    this.i += text.length;
    const next = this.s[this.i];
    if (next === "?") this.fail(`the lazy quantifier "${text}?" (POSIX regular expressions have none)`);
    if (next !== undefined && "*+{".includes(next)) this.fail(`a quantifier "${next}" right after another (position ${this.i})`);
    if (atom.group) this.undetermined ??= `a repeated group "${atom.out}${text}" (engines split the repetitions differently)`;
    return { out: atom.out + text, empty: atom.empty || min === 0, quantifiable: false };
  }

  atom(): Node {
    const c = this.s[this.i]!;
    this.i++;
    switch (c) {
      case "(": {
        if (this.s[this.i] === "?") this.fail(`the group "(?" at position ${this.i - 1} (non-capturing, named groups, flags and lookaround are not supported)`);
        this.groups++;
        const inner = this.alternation();
        if (this.s[this.i] !== ")") this.fail(`an unclosed "("`);
        this.i++;
        return { out: `(${inner.out})`, empty: inner.empty, quantifiable: true, group: true };
      }
      case "[":
        return this.bracket();
      case ".":
        return { out: "[^\n]", empty: false, quantifiable: true };
      case "^":
      case "$":
        return { out: c, empty: true, quantifiable: false };
      case "\\":
        return this.escape();
      case "]":
      case "}":
        return this.fail(`an unescaped "${c}" (write \\${c})`);
      case "*":
      case "+":
      case "?":
      case "{":
        return this.fail(`a quantifier "${c}" after nothing to repeat (position ${this.i - 1})`);
      default:
        return { out: c, empty: false, quantifiable: true };
    }
  }

  escape(): Node {
    const c = this.s[this.i];
    if (c === undefined) this.fail(`a trailing "\\"`);
    this.i++;
    if (c === "n") return { out: "\n", empty: false, quantifiable: true };
    if (c === "t") return { out: "\t", empty: false, quantifiable: true };
    if (/[!-/:-@[-`{-~]/.test(c)) return { out: ERE_SPECIAL.includes(c) ? `\\${c}` : c, empty: false, quantifiable: true };
    const hint = { d: " (Unicode digits in Polars, ASCII ones in RE2: write [0-9])", w: " (write [A-Za-z0-9_] if ASCII is meant)", s: " (write the characters, e.g. [ \\t])" }[c] ?? "";
    return this.fail(`the escape "\\${c}"${hint}`);
  }

  bracket(): Node {
    const start = this.i - 1;
    let out = "[";
    if (this.s[this.i] === "^") {
      out += "^";
      this.i++;
    }
    const first = this.i;
    for (;;) {
      const c = this.s[this.i];
      if (c === undefined) this.fail(`an unclosed "[" at position ${start}`);
      if (c === "]") {
        if (this.i === first) this.fail(`"]" first in a class (at position ${this.i}), which engines read differently`);
        this.i++;
        break;
      }
      if (c === "[") this.fail(`"[" inside a class at position ${this.i} (nested classes and [:name:] classes are not supported)`);
      if (c === "\\") this.fail(`"\\" inside a class at position ${this.i} (escapes in classes are not supported; put "-" first or last, "^" not first)`);
      if ((c === "&" || c === "~" || c === "-") && this.s[this.i + 1] === c) this.fail(`the class operator "${c}${c}" at position ${this.i}`);
      if (c === "-" && this.i !== first && this.s[this.i + 1] !== "]") this.fail(`"-" inside a class at position ${this.i} that is no range (put it first or last)`);
      if (this.s[this.i + 1] === "-" && this.s[this.i + 2] !== undefined && this.s[this.i + 2] !== "]") {
        const to = this.s[this.i + 2]!;
        if (to === "[" || to === "\\") this.fail(`the range "${c}-${to}" at position ${this.i}`);
        if (to.codePointAt(0)! < c.codePointAt(0)!) this.fail(`the range "${c}-${to}", which runs backwards`);
        out += `${c}-${to}`;
        this.i += 3;
      } else {
        out += c;
        this.i++;
      }
    }
    if (out === "[" || out === "[^") this.fail(`an empty class at position ${start}`);
    return { out: `${out}]`, empty: false, quantifiable: true };
  }
}
