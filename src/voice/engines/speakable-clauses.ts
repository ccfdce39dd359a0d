/**
 * A sentence cut into clauses for a neural voice: the first clause is synthesized and heard while
 * the rest is made, so first audio does not wait for the whole sentence. Cuts fall only after a
 * comma, semicolon, colon or dash that ends a clause of at least `minWords` words: shorter pieces
 * ("Yes, ...") sound choppy because each clause is voiced on its own. Over-long pieces are cut at
 * a space so one clause stays well inside the model's input limit.
 */
const SPEAKABLE = /[\p{L}\p{N}]/u;

export function speakableClauses(text: string, options: { minWords?: number; maxChars?: number } = {}): string[] {
  const minWords = options.minWords ?? 4;
  const maxChars = options.maxChars ?? 200;
  const clean = text.replace(/\s+/g, ' ').trim();
  const pieces = clean.split(/(?<=[,;:]|\s[–—-])\s+/u);
  const clauses: string[] = [];
  let carry = '';
  for (const piece of pieces) {
    carry = carry ? `${carry} ${piece}` : piece;
    if (carry.split(' ').length >= minWords) {
      clauses.push(carry);
      carry = '';
    }
  }
  if (carry) {
    // A short tail joins the clause before it rather than being voiced alone.
    if (clauses.length > 0 && carry.split(' ').length < minWords) clauses[clauses.length - 1] += ` ${carry}`;
    else clauses.push(carry);
  }
  const out: string[] = [];
  for (let clause of clauses) {
    while (clause.length > maxChars) {
      const cut = clause.lastIndexOf(' ', maxChars);
      const at = cut > maxChars / 2 ? cut : maxChars;
      out.push(clause.slice(0, at).trim());
      clause = clause.slice(at).trim();
    }
    out.push(clause);
  }
  return out.filter((c) => SPEAKABLE.test(c));
}
