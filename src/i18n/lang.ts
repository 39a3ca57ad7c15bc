/** Language codes: canonical spelling and matching against the languages we have. */

const TAG = /^([a-z]{2,3})(?:[-_]([a-z]{4}))?(?:[-_]([a-z]{2}|\d{3}))?$/i;

/**
 * `pt-br` / `PT_BR` -> `pt-BR`, `DE` -> `de`, `zh-hant-tw` -> `zh-Hant-TW`;
 * null when `code` is not a language[-Script][-REGION] code.
 */
export function canonicalLanguage(code: string): string | null {
  const m = TAG.exec(code.trim());
  if (!m) return null;
  const [, lang, script, region] = m;
  let out = lang!.toLowerCase();
  if (script) out += `-${script[0]!.toUpperCase()}${script.slice(1).toLowerCase()}`;
  if (region) out += `-${region.toUpperCase()}`;
  return out;
}

/**
 * The language of `available` that serves `code` best, or null: the exact
 * code in any spelling (`DE`, `de_DE`, `de-de`), then less specific forms
 * (`de-DE` -> `de` when only `de` exists), then a regional variant of the same
 * language (`pt` -> `pt-BR` when only `pt-BR` exists). Extra subtags and a
 * POSIX locale's encoding (`de_DE.UTF-8`) are ignored.
 */
export function normalizeLanguage(
  code: string | null | undefined,
  available: Iterable<string>,
): string | null {
  if (!code) return null;
  const subtags = code.trim().split(/[.@]/)[0]!.split(/[-_]/);
  const lang = subtags[0] ?? "";
  if (!/^[a-z]{2,3}$/i.test(lang)) return null;
  let script: string | undefined;
  let region: string | undefined;
  let k = 1;
  if (/^[a-z]{4}$/i.test(subtags[k] ?? "")) script = subtags[k++];
  if (/^(?:[a-z]{2}|\d{3})$/i.test(subtags[k] ?? "")) region = subtags[k];

  const byCanonical = new Map<string, string>();
  for (const a of available) byCanonical.set((canonicalLanguage(a) ?? a).toLowerCase(), a);

  const l = lang.toLowerCase();
  const s = script?.toLowerCase();
  const r = region?.toLowerCase();
  const tries = [
    s && r ? `${l}-${s}-${r}` : null,
    r ? `${l}-${r}` : null,
    s ? `${l}-${s}` : null,
    l,
  ];
  for (const t of tries) {
    const hit = t === null ? undefined : byCanonical.get(t);
    if (hit !== undefined) return hit;
  }
  const variants = [...byCanonical.keys()].filter((c) => c.startsWith(`${l}-`)).sort();
  return variants[0] === undefined ? null : byCanonical.get(variants[0])!;
}
