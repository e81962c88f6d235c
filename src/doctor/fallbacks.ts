/**
 * What a user can do where the warehouse refuses a construct, by the conformance case's name. None of these is
 * applied automatically: the report names them so that a refused construct is a decision, not a dead end.
 */
const FALLBACKS: [RegExp, string][] = [
  [/time rolling window/, "write the window as a join of the rows within the period and an aggregate (groupBy), or pre-aggregate per day and use a row-count rolling window (rollingSum(n)) over a complete calendar"],
  [/as-of join/, "join on the by keys, keep right rows at or before (after) the left time, and filter the latest with rank({ method: \"ordinal\" }).over(…).eq(1)"],
  [/QUALIFY/, "the same filter in a wrapping SELECT, as the PostgreSQL dialect renders it (supportsQualify: false)"],
  [/first and last by a key/, "a rank({ method: \"ordinal\" }) window filtered to 1 over the same key"],
  [/variance, median, quantile/, "mean and std, or the quantile computed in a view"],
];

export const fallbackFor = (caseName: string): string | undefined => FALLBACKS.find(([pattern]) => pattern.test(caseName))?.[1];
