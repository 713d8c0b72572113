/**
 * Splits a command string into words as a POSIX shell would (quotes, backslashes), without running
 * a shell — the way docker-py turns a string command into a list. A `{{ … }}` template stays one
 * piece, quotes and spaces inside it included: Airflow renders before docker-py splits, and so must we.
 */
export function shellSplit(s: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote !== "'" && s.startsWith('{{', i)) {
      const end = s.indexOf('}}', i + 2);
      if (end >= 0) {
        word += s.slice(i, end + 2);
        inWord = true;
        i = end + 1;
        continue;
      }
    }
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < s.length && '"\\$`'.includes(s[i + 1]!)) word += s[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < s.length) {
      word += s[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord || quote) words.push(word);
  return words;
}
