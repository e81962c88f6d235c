/**
 * The strftime formats `str.toDate` and `str.toDatetime` parse, read as Polars reads them. Polars tries a fast parser
 * of fixed-width fields first and then chrono's `parse_from_str`, which accepts everything the fast one does and more:
 * before each number any Unicode white space, then 1 to its width of digits (`2024-1-5` is a date); a space in the
 * format matches any run of white space, none included; every other character must be there as written; nothing may
 * follow. That is a regular language: the format becomes one regular expression (in the subset every engine runs
 * alike: bracket classes, `{m,n}`, anchors and groups) whose groups are the fields, which are then range-checked
 * (chrono's: months 1–12, days within the month, hours 0–23, minutes 0–59, seconds 0–60, a leap second rolling
 * over into the next minute) and assembled.
 *
 * The subset: `%Y %m %d %H %M %S` (each at most once; `%Y` required), `%F` (`%Y-%m-%d`) and `%T` (`%H:%M:%S`), white
 * space, and the literal characters letters, digits and `- / : . , _`. A year has 1 to 4 digits: a sign before it
 * (Polars reads `-0044` or `+12024`) gives no match here. Other directives are refused. A format without `%m` or `%d`
 * is read by Polars' fast parser alone (chrono cannot make a date of it): every field at full width, the text exactly
 * as the format writes it, the month or day 1, seconds up to 59.
 */

export type StrptimeField = "Y" | "m" | "d" | "H" | "M" | "S";

export interface StrptimeFormat {
  /** The whole-string pattern, anchored. */
  readonly pattern: string;
  /** The capture groups (1-based) of each field present: its digits are in whichever of them took part. */
  readonly groups: Readonly<Partial<Record<StrptimeField, readonly number[]>>>;
  /** 60 where chrono reads the text (a leap second, which rolls over into the next minute), 59 for the fast parser. */
  readonly maxSecond: 59 | 60;
}

/**
 * Rust's char::is_whitespace (Unicode White_Space): what chrono trims before numbers and matches for a format space,
 * and what Polars' `str.strip_chars()` strips by default.
 */
export const WHITESPACE = "\t\n\u000b\f\r \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000";
const SPACES = `[${WHITESPACE}]*`;
const WIDTH: Record<StrptimeField, number> = { Y: 4, m: 2, d: 2, H: 2, M: 2, S: 2 };
const LITERAL = /^[A-Za-z0-9\-/:.,_]$/;

type Token = { readonly field: StrptimeField } | { readonly space: string } | { readonly literal: string };

/** The format as a pattern and groups, or the reason it is outside the subset. */
export function parseStrftime(format: string): StrptimeFormat | string {
  if (typeof format !== "string" || format === "") return "the format must be a non-empty string";
  const tokens = tokenize(format.replaceAll("%F", "%Y-%m-%d").replaceAll("%T", "%H:%M:%S"), format);
  if (typeof tokens === "string") return tokens;
  const has = (f: StrptimeField) => tokens.some((t) => "field" in t && t.field === f);
  if (!has("Y")) return `${JSON.stringify(format)} has no %Y (Polars would read every date in year 1)`;
  // Polars' own rules (compile_fmt): an hour goes with minutes, seconds with an hour.
  if (has("H") !== has("M")) return `${JSON.stringify(format)} has one of %H and %M without the other (Polars refuses it)`;
  if (has("S") && !has("H")) return `${JSON.stringify(format)} has %S without %H (Polars refuses it)`;
  return has("m") && has("d") ? chronoPattern(tokens) : fastPattern(tokens);
}

/** Polars' fast parser alone: fixed widths, the literals (a space included) exactly. */
function fastPattern(tokens: readonly Token[]): StrptimeFormat {
  const groups: Partial<Record<StrptimeField, number[]>> = {};
  let pattern = "^";
  for (const token of tokens) {
    if ("space" in token) pattern += `[${token.space}]`;
    else if ("literal" in token) pattern += literal(token.literal);
    else {
      groups[token.field] = [Object.keys(groups).length + 1];
      pattern += `([0-9]{${WIDTH[token.field]}})`;
    }
  }
  return { pattern: `${pattern}$`, groups, maxSecond: 59 };
}

const literal = (c: string): string => (/[A-Za-z0-9]/.test(c) ? c : `[${c}]`);

/** chrono's grammar (which includes the fast parser's): white space skipped before numbers, 1 to `width` digits. */
function chronoPattern(tokens: readonly Token[]): StrptimeFormat {
  const groups: Partial<Record<StrptimeField, number[]>> = {};
  let pattern = "^";
  let count = 0;
  tokens.forEach((token, i) => {
    if ("space" in token) pattern += SPACES;
    else if ("literal" in token) pattern += literal(token.literal);
    else {
      const w = WIDTH[token.field];
      const next = tokens.slice(i + 1).find((t) => !("space" in t));
      if (next && "field" in next) {
        // Another number follows, after white space at most. chrono takes digits up to the width and stops at
        // anything else, never giving any back: all `w` digits, or fewer and then white space (which the next
        // number skips). The two alternatives exclude each other, so every engine picks the same one.
        pattern += `${SPACES}(([0-9]{${w}})${SPACES}|([0-9]{1,${w - 1}})[${WHITESPACE}]+)`;
        groups[token.field] = [count + 2, count + 3];
        count += 3;
      } else {
        pattern += `${SPACES}([0-9]{1,${w}})`;
        groups[token.field] = [count + 1];
        count += 1;
      }
    }
  });
  return { pattern: `${pattern}$`, groups, maxSecond: 60 };
}

function tokenize(expanded: string, format: string): Token[] | string {
  const tokens: Token[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < expanded.length; i++) {
    const c = expanded[i]!;
    if (c === "%") {
      const directive = expanded[++i];
      if (directive === undefined) return `${JSON.stringify(format)} ends in a lone %`;
      if (!(directive in WIDTH)) return `the directive %${directive} in ${JSON.stringify(format)} is not supported (only %Y %m %d %H %M %S, %F and %T)`;
      if (seen.has(directive)) return `%${directive} appears twice in ${JSON.stringify(format)}`;
      seen.add(directive);
      tokens.push({ field: directive as StrptimeField });
    } else if (WHITESPACE.includes(c)) {
      tokens.push({ space: c });
    } else if (LITERAL.test(c)) {
      tokens.push({ literal: c });
    } else {
      return `the character ${JSON.stringify(c)} in ${JSON.stringify(format)} is not supported in a format (letters, digits, white space and - / : . , _)`;
    }
  }
  return tokens;
}
