/**
 * A Mastodon API server for tests, in-process on 127.0.0.1. It answers the
 * client API the Fediverse bot uses with Mastodon's status codes, entity
 * shapes, rate-limit and `Link` headers, streams events over WebSocket and
 * server-sent events, and can be driven from the test: accounts, posts by
 * users, follows, fault switches, and promises that settle when the bot acts.
 *
 * ```ts
 * await using server = await MastodonTestServer.start();
 * const bot = server.createAccount({ username: "bridge", bot: true });
 * const alice = server.createAccount({ username: "alice", domain: "other.example" });
 * server.postAs(alice, { text: "@bridge@mastodon.test hello", visibility: "direct" });
 * const reply = await server.waitForStatus(bot);
 * ```
 */

import {
  notificationEntity,
  relationshipEntity,
  statusEditEntities,
  statusEntity,
} from "./entities.ts";
import {
  StreamDisorder,
  type StreamDisorderOptions,
  type StreamDisorderStats,
} from "./disorder.ts";
import {
  FaultSwitches,
  type RateLimitFaultOptions,
  type ServerErrorFaultOptions,
} from "./faults.ts";
import type { InstanceInfo } from "./instance.ts";
import { RateLimiter } from "./rate_limit.ts";
import { type RequestRecord, Router, type ServerCore } from "./router.ts";
import { accountRoutes } from "./routes_accounts.ts";
import { instanceRoutes } from "./routes_instance.ts";
import { mediaRoutes } from "./routes_media.ts";
import { MediaSettings } from "./media.ts";
import { notificationRoutes } from "./routes_notifications.ts";
import { statusRoutes } from "./routes_statuses.ts";
import { type NewAccount, ServerState } from "./state.ts";
import {
  createStatus,
  editStatus,
  type NewStatus,
  type StatusChange,
  type StatusLimits,
} from "./statuses.ts";
import { StreamHub } from "./streaming.ts";
import { TcpFront } from "./tcp_front.ts";
import {
  type PostedStatus,
  type TestAccount,
  toPosted,
  toTestAccount,
  Waiters,
} from "./test_api.ts";
import type {
  AccountRecord,
  DomainBlockInput,
  DomainBlocksVisibility,
  MastodonTestServerOptions,
  MediaProcessingOptions,
  MediaRecord,
} from "./types.ts";

export type { PostedStatus, TestAccount } from "./test_api.ts";
export type {
  DomainBlockInput,
  DomainBlocksVisibility,
  MastodonTestServerOptions,
  MediaProcessingOptions,
} from "./types.ts";
export type { StatusChange } from "./statuses.ts";

/** An upload as tests see it. */
export interface UploadedMedia {
  id: string;
  accountId: string;
  type: MediaRecord["type"];
  mimeType: string | null;
  description: string | null;
  focus: { x: number; y: number } | null;
  /** The uploaded bytes; null for media made by `addMedia`. */
  bytes: Uint8Array | null;
  processing: "done" | "pending" | "failed";
  /** The status it is attached to, or null. */
  statusId: string | null;
}
export type { NewAccount } from "./state.ts";
export type { RequestRecord } from "./router.ts";
export type { RateLimitFaultOptions, ServerErrorFaultOptions } from "./faults.ts";
export type { StreamDisorderOptions, StreamDisorderStats } from "./disorder.ts";

export interface MediaInput {
  url?: string;
  description?: string;
  type?: MediaRecord["type"];
}

/** A status posted by a test user; media are created on the fly. */
export interface PostAsInput extends Omit<NewStatus, "mediaIds"> {
  media?: MediaInput[];
}

export interface WaitOptions {
  /** Real-time safety net so a broken test fails instead of hanging. Default 10000. */
  timeoutMs?: number;
}

/** Connection- and HTTP-level faults a test can switch on. */
export interface ServerFaults {
  rateLimitNext(count: number, options?: RateLimitFaultOptions): void;
  serverErrorNext(count: number, options?: ServerErrorFaultOptions): void;
  serverErrorUntilCleared(options?: ServerErrorFaultOptions): void;
  clearServerErrors(): void;
  /** Closes the listener and cuts all connections: clients get "connection refused". */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): void;
  /** Cuts every WebSocket / event-stream connection without a close frame. */
  dropStreams(): Promise<number>;
  /** Stops all traffic on the open stream connections (held until resume). */
  stallStreams(): number;
  resumeStreams(): void;
  /**
   * From now on, notification events leave the streams out of order, late or not at all (seeded,
   * so repeatable); the REST API still lists every notification. Replaces an earlier disorder
   * (its held events are sent first).
   */
  disorderStreams(options: StreamDisorderOptions): void;
  /** Sends the events the disorder holds now, shuffled. */
  flushStreams(): void;
  /** Sends what is held and streams in order again; returns what the disorder did. */
  orderStreams(): StreamDisorderStats | null;
  /** What the current disorder did so far, or null when there is none. */
  disorderStats(): StreamDisorderStats | null;
}

export class MastodonTestServer implements AsyncDisposable {
  readonly domain: string;
  readonly faults: ServerFaults;
  /** Every request answered, in order (faulted ones included). */
  readonly requests: RequestRecord[] = [];
  readonly #state: ServerState;
  readonly #hub: StreamHub;
  readonly #front: TcpFront;
  readonly #inner: Deno.HttpServer<Deno.NetAddr>;
  readonly #limiter: RateLimiter;
  readonly #limits: StatusLimits;
  readonly #media: MediaSettings;
  readonly #waiters = new Waiters();
  readonly #options: MastodonTestServerOptions;
  #domainBlocks: { list: DomainBlockInput[]; visibility: DomainBlocksVisibility };
  #closed = false;

  private constructor(options: MastodonTestServerOptions) {
    const now = options.now ?? Date.now;
    this.#options = options;
    this.domain = options.domain ?? "mastodon.test";
    this.#limits = {
      maxCharacters: options.maxCharacters ?? 500,
      maxMediaAttachments: options.maxMediaAttachments ?? 4,
      charactersReservedPerUrl: options.charactersReservedPerUrl ?? 23,
      maxPollOptions: 4,
    };
    this.#media = new MediaSettings(options, now);
    this.#domainBlocks = {
      list: [...(options.domainBlocks ?? [])],
      visibility: options.domainBlocksVisibility ?? "all",
    };
    this.#hub = new StreamHub({
      wsIdleTimeoutSeconds: options.wsIdleTimeoutSeconds ?? 60,
      sseHeartbeatMs: options.sseHeartbeatMs ?? 15000,
      onChange: () => this.#waiters.changed(),
    });
    this.#state = new ServerState(this.domain, now, {
      notification: (n) => {
        this.#hub.publish(
          n.accountId,
          "notification",
          JSON.stringify(notificationEntity(this.#state, n)),
        );
      },
      statusCreated: (s, home) => {
        for (const id of home) {
          this.#hub.publish(id, "update", JSON.stringify(statusEntity(this.#state, s, id)));
        }
        this.#waiters.status(toPosted(this.#state, s));
      },
      statusDeleted: (s, home) => {
        for (const id of home) this.#hub.publish(id, "delete", s.id);
      },
      statusEdited: (s, home) => {
        const entity = (id: string) => JSON.stringify(statusEntity(this.#state, s, id));
        for (const id of home) this.#hub.publish(id, "status.update", entity(id), "home");
        // Mastodon 4.3 also pushes the edit to the notifications timeline of
        // every mentioned local account, so a mention from someone not
        // followed is updated too (a follower who is mentioned gets both).
        for (const id of this.#state.localMentions(s)) {
          this.#hub.publish(id, "status.update", entity(id), "notifications");
        }
      },
      changed: () => this.#waiters.changed(),
    });
    const rate = options.rateLimit ?? {};
    this.#limiter = new RateLimiter(rate.limit ?? 300, rate.windowMs ?? 5 * 60 * 1000, now);
    const switches = new FaultSwitches(now, () => this.#limiter.limit);
    const core: ServerCore = {
      state: this.#state,
      limits: this.#limits,
      hub: this.#hub,
      media: this.#media,
      baseUrl: () => this.url,
      instanceInfo: () => this.#instanceInfo(),
      domainBlocks: () => this.#domainBlocks,
    };
    const router = new Router({
      core,
      routes: [
        ...accountRoutes,
        ...statusRoutes,
        ...mediaRoutes,
        ...notificationRoutes,
        ...instanceRoutes,
      ],
      faults: switches,
      limiter: this.#limiter,
      now,
      markStream: (port) => this.#front.markStream(port),
      onRequest: (r) => {
        this.requests.push(r);
        this.#waiters.changed();
      },
    });
    this.#inner = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      (req, info) => router.handle(req, info.remoteAddr.port),
    );
    this.#front = new TcpFront(this.#inner.addr.port);
    const front = this.#front;
    this.faults = {
      rateLimitNext: (count, o) => switches.rateLimitNext(count, o),
      serverErrorNext: (count, o) => switches.serverErrorNext(count, o),
      serverErrorUntilCleared: (o) => switches.serverErrorUntilCleared(o),
      clearServerErrors: () => switches.clearServerErrors(),
      down: () => front.down(),
      up: () => void front.listen(),
      dropStreams: () => front.dropStreams(),
      stallStreams: () => front.stallStreams(),
      resumeStreams: () => front.resumeStreams(),
      disorderStreams: (o) => {
        const next = new StreamDisorder(o);
        this.#hub.disorder?.flush();
        this.#hub.disorder = next;
      },
      flushStreams: () => this.#hub.disorder?.flush(),
      orderStreams: () => {
        const d = this.#hub.disorder;
        d?.flush();
        this.#hub.disorder = null;
        return d?.stats ?? null;
      },
      disorderStats: () => this.#hub.disorder?.stats ?? null,
    };
  }

  /** Starts a server; it listens on 127.0.0.1 (`options.port`, 0 = a free port). */
  static start(options: MastodonTestServerOptions = {}): Promise<MastodonTestServer> {
    const server = new MastodonTestServer(options);
    server.#front.listen(options.port ?? 0);
    return Promise.resolve(server);
  }

  get port(): number {
    return this.#front.port;
  }

  /** Base URL of the REST API, e.g. `http://127.0.0.1:41234`. */
  get url(): string {
    return `http://127.0.0.1:${this.#front.port}`;
  }

  /** Base URL of the streaming API, as the instance entities announce it. */
  get streamingUrl(): string {
    const announced = this.#options.announcedStreamingUrl;
    return announced ? announced(this.#front.port) : `ws://127.0.0.1:${this.#front.port}`;
  }

  createAccount(input: NewAccount): TestAccount {
    return toTestAccount(this.#state, this.#state.createAccount(input));
  }

  /** A known account by id or by address (`name`, `name@domain`). */
  account(idOrAddress: string): TestAccount {
    const a = this.#state.accounts.get(idOrAddress) ?? this.#state.lookup(idOrAddress);
    if (a === undefined) throw new Error(`no account ${idOrAddress}`);
    return toTestAccount(this.#state, a);
  }

  /** Posts as any account (local or remote), as if it arrived through the web UI or federation. */
  postAs(account: TestAccount, input: PostAsInput): PostedStatus {
    const { media = [], ...rest } = input;
    const mediaIds = media.map((m) => this.addMedia(account, m));
    const { status } = createStatus(this.#state, this.#limits, account.id, { ...rest, mediaIds });
    return toPosted(this.#state, status);
  }

  /** Uploads a media attachment for `account`; returns its id for `media_ids[]`. */
  addMedia(account: TestAccount, m: MediaInput = {}): string {
    const id = this.#state.nextId();
    this.#state.media.set(id, {
      id,
      accountId: account.id,
      type: m.type ?? "image",
      url: m.url ?? `https://${this.domain}/system/media_attachments/files/${id}/original.png`,
      description: m.description ?? null,
      statusId: null,
    });
    return id;
  }

  /**
   * Edits a status as its author would (through the web UI or federation):
   * omitted fields stay. Streams `status.update`, records the history, sends
   * `update` notifications to local accounts that boosted it.
   */
  editStatus(id: string, change: StatusChange): PostedStatus {
    return toPosted(this.#state, editStatus(this.#state, this.#limits, id, change));
  }

  /** `editStatus` by `account`, which must be the author. */
  editAs(account: TestAccount, id: string, change: StatusChange): PostedStatus {
    this.#own(account, id);
    return this.editStatus(id, change);
  }

  /** Deletes a status (streams `delete` to home feeds and mentioned local accounts). */
  deleteStatus(id: string): void {
    this.#state.deleteStatus(id);
  }

  /** `deleteStatus` by `account`, which must be the author. */
  deleteAs(account: TestAccount, id: string): void {
    this.#own(account, id);
    this.deleteStatus(id);
  }

  /** `account` favourites a status it can see; its author gets a `favourite` notification. */
  favourite(account: TestAccount, statusId: string): void {
    this.#state.favourite(account.id, statusId);
  }

  /** Takes the favourite back (its notification goes too). */
  unfavourite(account: TestAccount, statusId: string): void {
    this.#state.unfavourite(account.id, statusId);
  }

  /**
   * Marks a status as boosted by `account` (counted in `reblogs_count`;
   * a local booster gets `update` notifications when it is edited). No
   * reblog status is created.
   */
  reblog(account: TestAccount, statusId: string): void {
    const s = this.#state.visibleStatus(account.id, statusId);
    if (!s.rebloggedBy.includes(account.id)) s.rebloggedBy.push(account.id);
    this.#waiters.changed();
  }

  /** Accounts (as `name@domain`) that favourite the status now. */
  favouritesOf(statusId: string): string[] {
    const s = this.#state.statuses.get(statusId);
    if (s === undefined) throw new Error(`no status ${statusId}`);
    return s.favouritedBy.map((id) => this.#state.fullAcct(this.#state.account(id)));
  }

  /** StatusEdit entities of a status, as `GET /api/v1/statuses/:id/history` answers. */
  historyOf(statusId: string): Record<string, unknown>[] {
    const s = this.#state.statuses.get(statusId);
    if (s === undefined) throw new Error(`no status ${statusId}`);
    return statusEditEntities(this.#state, s);
  }

  #own(account: TestAccount, id: string): void {
    const s = this.#state.statuses.get(id);
    if (s === undefined) throw new Error(`no status ${id}`);
    if (s.accountId !== account.id) throw new Error(`status ${id} is not by ${account.address}`);
  }

  /** An upload (or `addMedia` media) by id. */
  media(id: string): UploadedMedia {
    const m = this.#state.media.get(id);
    if (m === undefined) throw new Error(`no media ${id}`);
    this.#state.settleMedia(m);
    return {
      id: m.id,
      accountId: m.accountId,
      type: m.type,
      mimeType: m.mimeType ?? null,
      description: m.description,
      focus: m.focus ?? null,
      bytes: m.bytes ?? null,
      processing: m.processing ?? "done",
      statusId: m.statusId,
    };
  }

  /** Uploads and `addMedia` media of `account`, oldest first. */
  mediaOf(account: TestAccount): UploadedMedia[] {
    return [...this.#state.media.values()].filter((m) => m.accountId === account.id)
      .map((m) => this.media(m.id));
  }

  /** Changes how uploads from now on are processed (see `MediaProcessingOptions`). */
  setMediaProcessing(options: MediaProcessingOptions): void {
    this.#media.processing = { ...this.#media.processing, ...options };
  }

  /**
   * Ends the processing of pending uploads now (one, or all): they become
   * done, or failed when they were uploaded with `fail`. Returns how many.
   */
  finishMediaProcessing(id?: string): number {
    let n = 0;
    for (const m of this.#state.media.values()) {
      if ((id === undefined || m.id === id) && m.processing === "pending") {
        this.#state.finishMedia(m);
        n++;
      }
    }
    return n;
  }

  /** Changes the announced and enforced upload limits. */
  setMediaLimits(
    limits: { imageSizeLimit?: number; videoSizeLimit?: number; supportedMimeTypes?: string[] },
  ): void {
    if (limits.imageSizeLimit !== undefined) this.#media.imageSizeLimit = limits.imageSizeLimit;
    if (limits.videoSizeLimit !== undefined) this.#media.videoSizeLimit = limits.videoSizeLimit;
    if (limits.supportedMimeTypes !== undefined) {
      this.#media.supportedMimeTypes = [...limits.supportedMimeTypes];
    }
  }

  /** Uploads allowed per account per window (Mastodon: 30 per 30 minutes). */
  setMediaRateLimit(limit: number, windowMs?: number): void {
    this.#media.limiter.limit = limit;
    if (windowMs !== undefined) this.#media.limiter.windowMs = windowMs;
    this.#media.limiter.reset();
  }

  /** The Status entity as `viewer` (or an anonymous client) gets it. */
  statusJson(id: string, viewer: TestAccount | null = null): Record<string, unknown> {
    const s = this.#state.statuses.get(id);
    if (s === undefined) throw new Error(`no status ${id}`);
    return statusEntity(this.#state, s, viewer?.id ?? null);
  }

  follow(
    follower: TestAccount,
    target: TestAccount,
    opts: { reblogs?: boolean; notify?: boolean } = {},
  ): void {
    this.#state.follow(follower.id, target.id, opts);
  }

  unfollow(follower: TestAccount, target: TestAccount): void {
    this.#state.unfollow(follower.id, target.id);
  }

  /** `target` accepts (or rejects) the follow request of `requester`. */
  answerFollowRequest(target: TestAccount, requester: TestAccount, accept: boolean): void {
    this.#state.answerRequest(target.id, requester.id, accept);
  }

  relationship(viewer: TestAccount, other: TestAccount): Record<string, unknown> {
    return relationshipEntity(this.#state, viewer.id, other.id);
  }

  /** Statuses of an account that still exist, oldest first. */
  statusesOf(account: TestAccount): PostedStatus[] {
    return [...this.#state.statuses.values()].filter((s) => s.accountId === account.id)
      .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1)).map((s) => toPosted(this.#state, s));
  }

  notificationsOf(account: TestAccount): Record<string, unknown>[] {
    return this.#state.notificationsOf(account.id).map((n) => notificationEntity(this.#state, n));
  }

  /** POST /api/v1/statuses requests served, statuses created, distinct Idempotency-Keys. */
  postStats(account: TestAccount): { posts: number; created: number; distinctKeys: number } {
    const s = this.#state.statsOf(account.id);
    return { posts: s.posts, created: s.created, distinctKeys: s.keys.size };
  }

  /** The first status of `account` (existing or future) that matches. */
  waitForStatus(
    account: TestAccount,
    predicate: (s: PostedStatus) => boolean = () => true,
    options: WaitOptions = {},
  ): Promise<PostedStatus> {
    const existing = this.statusesOf(account).find(predicate);
    if (existing !== undefined) return Promise.resolve(existing);
    return this.nextStatus(account, predicate, options);
  }

  /** The next status `account` creates from now on that matches. */
  nextStatus(
    account: TestAccount,
    predicate: (s: PostedStatus) => boolean = () => true,
    options: WaitOptions = {},
  ): Promise<PostedStatus> {
    return this.#waiters.nextStatus(
      (s) => s.accountId === account.id && predicate(s),
      options.timeoutMs,
    );
  }

  /** Calls `listener` for every status created; returns the unsubscribe function. */
  onStatus(listener: (s: PostedStatus) => void): () => void {
    return this.#waiters.onStatus(listener);
  }

  /** Resolves once `predicate` holds, checked now and after every change of the server's data. */
  waitUntil(predicate: () => boolean, options: WaitOptions = {}): Promise<void> {
    return this.#waiters.until(predicate, options.timeoutMs);
  }

  /** Resolves once `account` has a stream that receives notifications (or the given channel). */
  waitForStream(account: TestAccount, channel: string | null = null): Promise<void> {
    return this.#hub.waitForSubscriber(account.id, channel);
  }

  streamConnections(account?: TestAccount): number {
    return this.#hub.connections(account?.id);
  }

  setMaxCharacters(n: number): void {
    this.#limits.maxCharacters = n;
  }

  setDomainBlocks(list: DomainBlockInput[], visibility?: DomainBlocksVisibility): void {
    this.#domainBlocks = {
      list: [...list],
      visibility: visibility ?? this.#domainBlocks.visibility,
    };
  }

  setRateLimit(limit: number, windowMs?: number): void {
    this.#limiter.limit = limit;
    if (windowMs !== undefined) this.#limiter.windowMs = windowMs;
    this.#limiter.reset();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#waiters.cancelAll(new Error("server closed"));
    this.#hub.closeAll();
    await this.#front.down();
    await this.#inner.shutdown();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #instanceInfo(): InstanceInfo {
    const accounts = [...this.#state.accounts.values()];
    const local = (a: AccountRecord) => a.domain === null;
    const version = this.#options.version ?? "4.3.2";
    return {
      domain: this.domain,
      title: this.#options.title ?? "Mastodon test server",
      version,
      streamingUrl: this.streamingUrl,
      nodeinfoUrl: `${this.url}/nodeinfo/2.0`,
      ...this.#limits,
      imageSizeLimit: this.#media.imageSizeLimit,
      videoSizeLimit: this.#media.videoSizeLimit,
      supportedMimeTypes: this.#media.supportedMimeTypes,
      software: {
        name: this.#options.software?.name ?? "mastodon",
        version: this.#options.software?.version ?? version,
      },
      userCount: accounts.filter(local).length,
      statusCount:
        [...this.#state.statuses.values()].filter((s) => local(this.#state.account(s.accountId)))
          .length,
      domainCount: new Set(accounts.flatMap((a) => (a.domain === null ? [] : [a.domain]))).size,
      contactAccount: null,
    };
  }
}
