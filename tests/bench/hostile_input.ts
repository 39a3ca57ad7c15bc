/**
 * Hostile input: the worst time per 100 kB over every text path (HTML to text, parse, the status
 * for Fediverse recipients, the text for XMPP recipients, the length count, the cut of a notice)
 * and every sample of the hostile corpus (src/core/hostile_corpus.ts: deep nesting, long runs of
 * `)`, `@`, `:`, `<`, seeded random mixes). Linear paths give about the same figure at any size;
 * a quadratic one grows with the sample (1 MB in the full run). The fuzz test
 * (src/core/hostile_test.ts) checks the outputs; here only the time is measured.
 */
import { hostileCorpus, textPaths } from "../../src/core/hostile_corpus.ts";
import { COMMANDS } from "../../src/core/parse.ts";
import { createI18n } from "../../src/i18n/mod.ts";
import { BUILTIN_CATALOGS, REFERENCE_LANGUAGE } from "../../src/i18n/mod.ts";
import type { FigureSet } from "./figures.ts";

export interface HostileSizes {
  /** Code units of each sample. */
  readonly size: number;
  readonly runs: number;
}

/** Runs the corpus through every path `sizes.runs` times; records the worst per 100 kB. */
export function benchHostileInput(figures: FigureSet, sizes: HostileSizes): void {
  const i18n = createI18n({
    builtin: BUILTIN_CATALOGS,
    reference: REFERENCE_LANGUAGE,
    overridesDir: null,
    unknownLanguage: "en",
    defaultLanguage: "en",
  });
  const paths = textPaths({
    i18n,
    limits: { maxCharacters: 500, charactersReservedPerUrl: 23 },
    parse: {
      prefixes: { fedi: "@", xmpp: "xmpp:", command: "!", lang: "!lang=" },
      commandWords: [...COMMANDS],
      apInstance: "social.test",
      botAddresses: { fedi: "bot", xmpp: "bot@chat.test" },
      from: 1,
    },
  });
  // Warm up the compiler on small samples, so the first large one is not charged for it.
  for (const sample of hostileCorpus(10_000)) for (const path of paths) path.run(sample.text);
  const corpus = hostileCorpus(sizes.size);
  for (let run = 0; run < sizes.runs; run++) {
    let worst = 0;
    let where = "";
    for (const sample of corpus) {
      for (const path of paths) {
        const started = performance.now();
        path.run(sample.text);
        const per100kB = (performance.now() - started) / (sample.text.length / 100_000);
        if (per100kB > worst) {
          worst = per100kB;
          where = `${sample.name} / ${path.name}`;
        }
      }
    }
    console.error(
      `== hostile input, run ${run + 1}: worst ${worst.toFixed(1)} ms per 100 kB (${where})`,
    );
    figures.record("hostile.worst", {
      label:
        `Hostile input, worst ms per 100 kB (${corpus.length} samples × ${paths.length} text paths)`,
      unit: "ms",
      target: { op: "<=", value: 20 },
    }, worst);
  }
}
