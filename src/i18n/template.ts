/**
 * Message templates: `{name}` is a placeholder (letters, digits, `_`), `{{`
 * and `}}` stand for literal braces. Anything else with a brace (`{}`, the
 * positional form of the old bridge, or a lone `{` or `}`) is a syntax error
 * that the load check reports; when formatting it is kept as written.
 */

export type TemplatePart = string | { readonly name: string };

export interface Template {
  readonly parts: readonly TemplatePart[];
  /** Placeholder names, each once. */
  readonly names: ReadonlySet<string>;
  /** One sentence per syntax error; empty when the template is well formed. */
  readonly errors: readonly string[];
}

export type Params = Readonly<Record<string, string | number>>;

const PLACEHOLDER = /\{(\w+)\}/y;

export function parseTemplate(text: string): Template {
  const parts: TemplatePart[] = [];
  const names = new Set<string>();
  const errors: string[] = [];
  let literal = "";
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "{") {
      if (text[i + 1] === "{") {
        literal += "{";
        i += 2;
        continue;
      }
      PLACEHOLDER.lastIndex = i;
      const m = PLACEHOLDER.exec(text);
      if (m) {
        if (literal) parts.push(literal);
        literal = "";
        parts.push({ name: m[1]! });
        names.add(m[1]!);
        i += m[0].length;
        continue;
      }
      if (text[i + 1] === "}") {
        errors.push(`an empty {} at character ${i + 1} (placeholders need a name, such as {user})`);
        literal += "{}";
        i += 2;
        continue;
      }
      errors.push(`a "{" at character ${i + 1} that opens no placeholder (write {{ for a brace)`);
    } else if (c === "}") {
      if (text[i + 1] === "}") {
        literal += "}";
        i += 2;
        continue;
      }
      errors.push(`a "}" at character ${i + 1} that closes no placeholder (write }} for a brace)`);
    }
    literal += c;
    i++;
  }
  if (literal) parts.push(literal);
  return { parts, names, errors };
}

/**
 * Fills the placeholders. A parameter that was not given stays visible as
 * `{name}` and is listed in `missing`; parameters that are not used are ignored.
 */
export function formatTemplate(
  template: Template,
  params: Params = {},
): { text: string; missing: string[] } {
  let text = "";
  const missing: string[] = [];
  for (const part of template.parts) {
    if (typeof part === "string") text += part;
    else if (Object.hasOwn(params, part.name)) text += String(params[part.name]);
    else {
      text += `{${part.name}}`;
      if (!missing.includes(part.name)) missing.push(part.name);
    }
  }
  return { text, missing };
}
