/** The shapes of the lists module (see mod.ts). */

/** The configured command words that are also the contents of the state files. */
export interface StateWords {
  readonly start: string;
  readonly stop: string;
  readonly open: string;
  readonly close: string;
}

/** Something wrong in a file, worth a log line; never fatal. */
export interface ListWarning {
  readonly file: string;
  /** 1-based line number, when the warning is about one line. */
  readonly line?: number;
  readonly message: string;
}

export interface ListsOptions {
  /** `bridge-files-dir`; created with the files when missing. */
  readonly dir: string;
  readonly words: StateWords;
  /** Clock, for the date written in the comment of a line added by command. */
  readonly now?: () => number;
  /** Receives each warning once per version of the file it is about. */
  readonly onWarning?: (warning: ListWarning) => void;
}

export interface AddResult {
  readonly added: string[];
  readonly already: string[];
  /** Inputs that are not domain names, unchanged. */
  readonly invalid: string[];
}

export interface RemoveResult {
  readonly removed: string[];
  readonly absent: string[];
  readonly invalid: string[];
}

export interface Lists {
  readonly files: {
    readonly start: string;
    readonly open: string;
    readonly red: string;
    readonly green: string;
  };
  isSending(): boolean;
  setSending(on: boolean): void;
  isOpen(): boolean;
  setOpen(on: boolean): void;
  red(): ReadonlySet<string>;
  green(): ReadonlySet<string>;
  isRed(domain: string): boolean;
  isGreen(domain: string): boolean;
  /** Appends the new domains; `note` goes into the line's comment. Throws on I/O failure. */
  addRed(domains: Iterable<string>, note?: string): AddResult;
  addGreen(domains: Iterable<string>, note?: string): AddResult;
  /** Drops every line naming one of the domains; other lines stay as written. */
  delRed(domains: Iterable<string>): RemoveResult;
  delGreen(domains: Iterable<string>): RemoveResult;
}
