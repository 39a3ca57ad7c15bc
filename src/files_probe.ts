/**
 * Run by files_test.ts in a child process whose umask the test sets: creates the bridge's own
 * files under `dir` the way the bridge does and prints their modes (octal strings) as JSON,
 * while the database is still open (its -wal and -shm files exist only then).
 */
import { openLists } from "./lists/mod.ts";
import { logger, setupLogging, stopLogging } from "./log.ts";
import { openStore } from "./store/mod.ts";

const dir = Deno.args[0]!;
const mode = (path: string) => ((Deno.statSync(path).mode ?? 0) & 0o777).toString(8);
const store = openStore(`${dir}/data/bridge.db`);
store.meta.set("probe", "1");
await setupLogging({ level: "info", file: `${dir}/log/bridge.log`, write: () => {} });
logger("probe").info("a line");
openLists({
  dir: `${dir}/files/lists`,
  words: { start: "start", stop: "stop", open: "open", close: "close" },
});
console.log(JSON.stringify({
  database: mode(`${dir}/data/bridge.db`),
  wal: mode(`${dir}/data/bridge.db-wal`),
  shm: mode(`${dir}/data/bridge.db-shm`),
  log: mode(`${dir}/log/bridge.log`),
  filesDir: mode(`${dir}/files/lists`),
  filesParent: mode(`${dir}/files`),
}));
await stopLogging();
store.close();
