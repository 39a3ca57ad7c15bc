import assert from "node:assert/strict";
import { BUILTIN_CATALOGS, createI18n, type I18n, REFERENCE_LANGUAGE } from "./mod.ts";
import { convertOldText, OLD_KEY_MAP } from "./old_format.ts";

const OLD_DIR = decodeURIComponent(
  new URL("../../tests/fixtures/old_bridge_texts", import.meta.url).pathname,
);

function load(dir: string): I18n {
  return createI18n({
    builtin: BUILTIN_CATALOGS,
    reference: REFERENCE_LANGUAGE,
    overridesDir: dir,
    unknownLanguage: "en",
    defaultLanguage: "en",
  });
}

/** What each language's old file says, as it must read through this bridge's keys. */
const EXPECTED: Record<string, { closed: string; header: string; blocked: string; since: string }> =
  {
    en: {
      closed: "Registrations are paused for now.",
      header: "Mastodon user ann@social.example writes:",
      blocked: "Now blocking @bob@x.example.",
      since: "You registered on 2024-05-01.",
    },
    fr: {
      closed: "Les inscriptions sont suspendues pour le moment.",
      header: "Message de l'utilisateur Mastodon ann@social.example :",
      blocked: "Vous bloquez désormais @bob@x.example.",
      since: "Vous êtes inscrit depuis le 2024-05-01.",
    },
    de: {
      closed: "Anmeldungen ruhen gerade.",
      header: "Nachricht von Mastodon-Nutzer ann@social.example:",
      blocked: "Du blockierst jetzt @bob@x.example.",
      since: "Du bist seit 2024-05-01 angemeldet.",
    },
    es: {
      closed: "Las inscripciones están en pausa por ahora.",
      header: "Mensaje del usuario de Mastodon ann@social.example:",
      blocked: "Ahora bloqueas a @bob@x.example.",
      since: "Te inscribiste el 2024-05-01.",
    },
    it: {
      closed: "Le iscrizioni sono sospese per ora.",
      header: "Messaggio dall'utente Mastodon ann@social.example:",
      blocked: "Ora blocchi @bob@x.example.",
      since: "Sei iscritto dal 2024-05-01.",
    },
    pt: {
      closed: "As inscrições estão suspensas por agora.",
      header: "Mensagem do utilizador Mastodon ann@social.example:",
      blocked: "Agora bloqueias @bob@x.example.",
      since: "Estás inscrito desde 2024-05-01.",
    },
    nl: {
      closed: "Aanmelden is nu even gesloten.",
      header: "Bericht van Mastodon-gebruiker ann@social.example:",
      blocked: "Je blokkeert nu @bob@x.example.",
      since: "Je bent aangemeld sinds 2024-05-01.",
    },
    // Not shipped: the old folder adds it.
    eo: {
      closed: "Aliĝoj estas paŭzigitaj nun.",
      header: "Mesaĝo de Mastodon-uzanto ann@social.example:",
      blocked: "Vi nun blokas @bob@x.example.",
      since: "Vi aliĝis je 2024-05-01.",
    },
  };

for (const [lang, want] of Object.entries(EXPECTED)) {
  Deno.test(`old translation folder, ${lang}.txt: each line under its key, placeholders named`, () => {
    const i18n = load(OLD_DIR);
    assert.equal(i18n.t(lang, "reg.closed"), want.closed);
    assert.equal(
      i18n.t(lang, "header.new", { app: "Mastodon", user: "ann@social.example" }),
      want.header,
    );
    assert.equal(i18n.t(lang, "cmd.blocked", { accounts: "@bob@x.example" }), want.blocked);
    assert.equal(i18n.t(lang, "reg.already", { since: "2024-05-01" }), want.since);
  });
}

Deno.test("old translation folder: one warning names the old texts that keep the built-in ones", () => {
  const i18n = load(OLD_DIR);
  const old = i18n.problems.filter((p) => p.kind === "old-format");
  assert.equal(old.length, 1);
  assert.equal(old[0]!.level, "warning");
  assert.match(old[0]!.message, /old bridge's format/);
  assert.match(old[0]!.message, /languages added: eo/);
  assert.match(old[0]!.message, /keep the built-in texts: regok, inactive, help/);
  // Nothing else is reported but the added language's missing texts: the mapped texts pass
  // the placeholder check.
  const others = i18n.problems.filter((p) => p.kind !== "old-format");
  assert.deepEqual(others.map((p) => [p.kind, p.file]), [["fallback-keys", `${OLD_DIR}/eo.txt`]]);
  // An unmapped text stays the shipped one; an added language falls back for what it lacks.
  const shipped = BUILTIN_CATALOGS.fr!["reg.welcome_fedi"]!.replace("{help}", "!help");
  assert.equal(i18n.t("fr", "reg.welcome_fedi", { help: "!help" }), shipped);
  assert.ok(i18n.languages().includes("eo"));
  assert.equal(i18n.t("eo", "report.thanks"), "Raporto plusendita, dankon.");
  assert.equal(i18n.t("eo", "report.nobody"), BUILTIN_CATALOGS.en!["report.nobody"]);
});

Deno.test("old texts: placeholders renamed in order, literal braces and line breaks kept", () => {
  assert.equal(convertOldText("{} user {} writes:", ["app", "user"]), "{app} user {user} writes:");
  assert.equal(
    convertOldText("Sent to {}{}.\\nBye", [null, "recipients"]),
    "Sent to {recipients}.\nBye",
  );
  assert.equal(convertOldText("{1} by {0} {{x}}", ["app", "user"]), "{user} by {app} {{x}}");
  // Another number of placeholders than the old code passed: not mapped.
  assert.equal(convertOldText("Sent to {}.", ["app", "user"]), null);
  assert.equal(convertOldText("Closed.", ["max"]), null);
});

Deno.test("the mapping table names only keys of the shipped catalog, with its placeholders", () => {
  const en = BUILTIN_CATALOGS.en!;
  for (const [old, { key, args }] of Object.entries(OLD_KEY_MAP)) {
    const text = en[key];
    assert.ok(text !== undefined, `${old} -> ${key} is a shipped key`);
    const names = new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]));
    const mapped = new Set(args.filter((a) => a !== null));
    assert.deepEqual(mapped, names, `${old} -> ${key}: the same placeholders`);
  }
});
