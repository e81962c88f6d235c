import { DefaultQueryCompiler } from "kysely";

// An identifier Snowflake would fold to upper case if written unquoted: letters, digits, `_` and `$`, not starting with
// a digit or `$` (https://docs.snowflake.com/en/sql-reference/identifiers-syntax). Only lower-case ones are folded here.
const FOLDABLE = /^[a-z_][a-z0-9_$]*$/;

/**
 * The name Snowflake stores for `name`, and the one this compiler quotes: a plain lower-case identifier becomes upper
 * case, as Snowflake folds it when unquoted, so a table created the usual unquoted way (`CREATE TABLE raw.events`)
 * resolves; anything else (mixed case, spaces, quotes) keeps its spelling. Always quoting means reserved words work.
 */
export const snowflakeName = (name: string): string => (FOLDABLE.test(name) ? name.toUpperCase() : name);

/**
 * kysely's compiler with Snowflake's lexical rules: identifiers resolved as above, `?` bind placeholders (the
 * driver binds positionally), and string literals escaping the backslash, which Snowflake reads as an escape
 * character inside single quotes (https://docs.snowflake.com/en/sql-reference/data-types-text#escape-sequences-in-single-quoted-string-constants).
 */
export class SnowflakeQueryCompiler extends DefaultQueryCompiler {
  protected override sanitizeIdentifier(identifier: string): string {
    return super.sanitizeIdentifier(snowflakeName(identifier));
  }

  protected override getCurrentParameterPlaceholder(): string {
    return "?";
  }

  protected override sanitizeStringLiteral(value: string): string {
    return super.sanitizeStringLiteral(value.replaceAll("\\", "\\\\"));
  }
}
